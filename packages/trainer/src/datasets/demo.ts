/**
 * A deterministic stand-in for cats_vs_dogs, written on first use into a cache folder in the
 * layout of Microsoft's archive (`PetImages/Cat/<n>.jpg`, `PetImages/Dog/<n>.jpg`) so that
 * {@link readPetImages} and everything after it run on it unchanged.
 *
 * - Cats and dogs are drawn faces on backgrounds shared by both classes (demo_drawing.ts).
 * - Every normal image is a baseline JPEG (sharp/mozjpeg) with a JFIF APP0 header inserted after
 *   SOI: sharp writes none, and the TFDS filter drops JPEGs without "JFIF" in the first 512 bytes.
 * - A few files are broken the ways the real archive's are ({@link demoBrokenFiles}).
 * - Deterministic: the same options give the same bytes (with the same sharp build).
 *
 * This file owns the cache folder: where a set lives and how it is published there atomically.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { xferCacheDir } from '../fs/cache_dir.js';
import { DEMO_CLASSES, demoBrokenFiles, resolveDemoOptions, writeDemoFiles, type DemoOptions, type ResolvedDemoOptions } from './demo_set.js';

/** The marker file written (last) into a completed demo folder, next to `PetImages/`. */
export const DEMO_MARKER_FILE = 'xfer-demo.json';

/** What {@link ensureDemoData} returns. */
export interface DemoData {
  /** The folder that contains `PetImages/` (pass it to `readPetImages`). */
  root: string;
  /** True when this call generated the set, false when a completed one was found. */
  created: boolean;
}

/** The default folder of a demo set: `<cache>/datasets/demo-<12 hex of sha256(options)>`. */
export function defaultDemoDir(options: DemoOptions = {}): string {
  const r = resolveDemoOptions(options);
  const hash = createHash('sha256').update(JSON.stringify(r)).digest('hex').slice(0, 12);
  return path.join(xferCacheDir(), 'datasets', `demo-${hash}`);
}

function sameOptions(a: ResolvedDemoOptions, b: Partial<ResolvedDemoOptions>): boolean {
  return (Object.keys(a) as (keyof ResolvedDemoOptions)[]).every((k) => a[k] === b[k]);
}

async function readMarker(dir: string): Promise<Partial<ResolvedDemoOptions> | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, DEMO_MARKER_FILE), 'utf8')).options ?? {};
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** 8 hex digits naming this machine, so a cache shared between machines is cleaned only by its owner. */
function hostTag(): string {
  return createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8);
}

/** The temp folder a generation of `dir` writes into: `<dir>.tmp-<host tag>-<pid>-<random>`. */
function tempDirFor(dir: string): string {
  return `${dir}.tmp-${hostTag()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Removes `<dir>.tmp-<host tag>-<pid>-*` folders left by killed generations: those made on this
 * machine by a process that no longer exists.
 */
async function removeStaleTemps(dir: string): Promise<void> {
  const parent = path.dirname(dir);
  const prefix = `${path.basename(dir)}.tmp-${hostTag()}-`;
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const pid = Number(n.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid)) {
      await rm(path.join(parent, n), { recursive: true, force: true });
    }
  }
}

/**
 * Makes sure the demo data set exists and returns the folder that contains its `PetImages/`.
 *
 * The first call generates it into `<dir>.tmp-<host tag>-<pid>-<random>` beside the target and
 * renames that into place once complete (with {@link DEMO_MARKER_FILE} written last), so an
 * interrupted generation is never taken for a complete one; later calls find the marker and return
 * at once. Temp folders of killed generations on this machine are removed on the next generation.
 *
 * @throws when `dir` exists but is neither empty nor a demo set, or holds a demo set made with other
 *   options.
 */
export async function ensureDemoData(options: DemoOptions = {}): Promise<DemoData> {
  const opts = resolveDemoOptions(options);
  const dir = path.resolve(options.dir ?? defaultDemoDir(options));
  const check = async (): Promise<boolean> => {
    const marker = await readMarker(dir);
    if (marker === null) return false;
    if (!sameOptions(opts, marker)) {
      throw new Error(
        `demo data: ${dir} holds a demo set made with other options (${JSON.stringify(marker)}); ` +
          `wanted ${JSON.stringify(opts)}. Remove it or choose another dir.`,
      );
    }
    return true;
  };
  if (await check()) return { root: dir, created: false };
  if (existsSync(dir) && (await readdir(dir)).length > 0) {
    throw new Error(`demo data: ${dir} exists, is not empty and is not a demo data set (no ${DEMO_MARKER_FILE})`);
  }
  await mkdir(path.dirname(dir), { recursive: true });
  await removeStaleTemps(dir);
  const tmp = tempDirFor(dir);
  await mkdir(tmp);
  try {
    await writeDemoFiles(tmp, opts, options.onProgress);
    const marker = { generator: 'xfer demo', options: opts, classes: DEMO_CLASSES, broken: demoBrokenFiles(opts) };
    await writeFile(path.join(tmp, DEMO_MARKER_FILE), JSON.stringify(marker, null, 2) + '\n');
    try {
      await rename(tmp, dir); // replaces an empty dir; fails if another process finished first
    } catch (e) {
      if (await check()) return { root: dir, created: false };
      throw e;
    }
    return { root: dir, created: true };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
