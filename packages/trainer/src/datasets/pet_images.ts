/**
 * cats_vs_dogs read the TFDS way from Microsoft's `PetImages/` tree (REFERENCE.md, "TFDS
 * cats_vs_dogs, exactly").
 *
 * The rules are pure functions over entry names and the first bytes of each file, so that a folder
 * source (here, {@link readPetImages}) and a zip source share them:
 * 1. keep names matching `^PetImages[\\/](Cat|Dog)[\\/]\d+\.jpg$` (others, e.g. `Thumbs.db`, are
 *    ignored: TFDS drops them without counting them as skipped);
 * 2. skip a kept name when the bytes `JFIF` do not occur in its first 512 bytes (TFDS tests
 *    `b"JFIF" in fobj.peek(10)`, and a zip member's `peek` returns up to 512 bytes);
 * 3. label: Cat → 0 ('cat'), Dog → 1 ('dog');
 * 4. order: ascending hex MD5 of `"train" + name`, the name with '/' separators
 *    (`PetImages/Cat/1.jpg`). This is the order TFDS writes the `train` split in, which its percent
 *    slicing then cuts.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { fileSource, type DatasetListing, type Example, type ExampleSource, type SkippedImage } from './example.js';

/** Entry names TFDS keeps (before the JFIF filter). Group 1 is the class folder. */
export const PET_IMAGES_NAME_RE = /^PetImages[\\/](Cat|Dog)[\\/]\d+\.jpg$/;

/** Class names by label: cat = 0, dog = 1. */
export const PET_IMAGES_CLASS_NAMES: readonly string[] = Object.freeze(['cat', 'dog']);

/** How many leading bytes the JFIF filter looks at. */
export const JFIF_WINDOW_BYTES = 512;

/** The salt TFDS hashes keys with for the order of the `train` split. */
export const TFDS_ORDER_SALT = 'train';

const JFIF = [0x4a, 0x46, 0x49, 0x46]; // "JFIF"

/** A name with backslashes turned into '/', as TFDS's keys use. */
export function normalizeEntryName(name: string): string {
  return name.replace(/\\/g, '/');
}

/** The label of an entry name (0 cat, 1 dog), or null when TFDS ignores the name. */
export function petImagesLabel(name: string): number | null {
  const m = PET_IMAGES_NAME_RE.exec(name);
  if (!m) return null;
  return m[1] === 'Cat' ? 0 : 1;
}

/** True when the bytes "JFIF" occur within the first {@link JFIF_WINDOW_BYTES} bytes of `head`. */
export function hasJfifMarker(head: Uint8Array): boolean {
  const end = Math.min(head.length, JFIF_WINDOW_BYTES) - JFIF.length;
  outer: for (let i = 0; i <= end; i++) {
    for (let j = 0; j < JFIF.length; j++) if (head[i + j] !== JFIF[j]) continue outer;
    return true;
  }
  return false;
}

/** A short guess at what non-JFIF bytes are, for skip reasons. */
function sniff(head: Uint8Array): string {
  const b = (i: number): number | undefined => head[i];
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'PNG data';
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x38) return 'GIF data';
  if (b(0) === 0x42 && b(1) === 0x4d) return 'BMP data';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'a JPEG whose JFIF APP0 header is missing or comes later, e.g. after Exif';
  return 'unrecognised data';
}

/**
 * Why the JFIF filter drops a file, or null when it keeps it. `head` is the file's first bytes
 * (at least {@link JFIF_WINDOW_BYTES} of them, or the whole file when shorter); only the window
 * is looked at.
 */
export function jfifSkipReason(head: Uint8Array): string | null {
  if (head.length === 0) return 'empty file (0 bytes)';
  if (hasJfifMarker(head)) return null;
  return `no JFIF marker in the first ${JFIF_WINDOW_BYTES} bytes (not a JFIF JPEG: ${sniff(head)})`;
}

/** The TFDS order key of an entry name: hex MD5 of `salt + name` with '/' separators. */
export function tfdsOrderKey(name: string, salt = TFDS_ORDER_SALT): string {
  return createHash('md5').update(salt + normalizeEntryName(name), 'utf8').digest('hex');
}

/** One file of a PetImages source: its name inside the archive and its first bytes. */
export interface PetImagesEntry {
  /** Relative name as in the archive, e.g. `PetImages/Cat/12.jpg` ('\\' separators accepted). */
  name: string;
  /** How messages name the file (its path, or `<archive>!/<entry>`). */
  where: string;
  /** Where the native loader reads it; absent for names the pattern ignores and files that could not be read. */
  source?: ExampleSource;
  /**
   * The first bytes of the (decompressed) file: at least {@link JFIF_WINDOW_BYTES}, or all of it
   * when shorter. Not looked at for names the pattern ignores.
   */
  head: Uint8Array;
  /** Why the file could not be read (then `source` is absent): the entry is skipped with this in the reason. */
  readError?: string;
}

/** A {@link DatasetListing} plus the names the pattern ignored (README, Thumbs.db, ...). */
export interface PetImagesListing extends DatasetListing {
  /** Names that did not match {@link PET_IMAGES_NAME_RE}, sorted; neither kept nor skipped. */
  ignored: string[];
}

/**
 * Applies the TFDS cats_vs_dogs rules to a set of entries: pattern, JFIF filter, labels and MD5
 * order. Pure: no I/O. Kept examples and skipped files both come in MD5 order.
 */
export function petImagesListing(entries: Iterable<PetImagesEntry>): PetImagesListing {
  const kept: { key: string; ex: Example }[] = [];
  const skipped: { key: string; sk: SkippedImage }[] = [];
  const ignored: string[] = [];
  for (const e of entries) {
    const label = petImagesLabel(e.name);
    if (label === null) {
      ignored.push(normalizeEntryName(e.name));
      continue;
    }
    const key = tfdsOrderKey(e.name);
    const reason = e.source ? jfifSkipReason(e.head) : `cannot read the file (${e.readError ?? 'unknown error'})`;
    if (e.source && reason === null) kept.push({ key, ex: { source: e.source, label } });
    else skipped.push({ key, sk: { source: e.where, reason: reason! } });
  }
  const byKey = (a: { key: string }, b: { key: string }): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  kept.sort(byKey);
  skipped.sort(byKey);
  ignored.sort();
  return {
    classNames: [...PET_IMAGES_CLASS_NAMES],
    examples: kept.map((k) => k.ex),
    skipped: skipped.map((s) => s.sk),
    ignored,
  };
}

/** Options of {@link readPetImages}. */
export interface ReadPetImagesOptions {
  /** How many files are open at once while reading their heads (default 32). */
  concurrency?: number;
  /** Called as file heads are read: files done and the total. */
  onProgress?: (done: number, total: number) => void;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Finds the PetImages folder: `<root>/PetImages`, or root itself when it is that folder. */
async function locatePetImages(root: string): Promise<string> {
  const inside = path.join(root, 'PetImages');
  if (await isDirectory(inside)) return inside;
  if (await isDirectory(root)) {
    if (path.basename(root) === 'PetImages') return root;
    if ((await isDirectory(path.join(root, 'Cat'))) || (await isDirectory(path.join(root, 'Dog')))) return root;
  }
  const why = (await isDirectory(root)) ? 'it has no PetImages folder' : 'the folder does not exist';
  throw new Error(
    `cats_vs_dogs: cannot read ${root}: ${why}. Expected ${path.join(root, 'PetImages', 'Cat')}${path.sep}*.jpg and ` +
      `${path.join(root, 'PetImages', 'Dog')}${path.sep}*.jpg (the extracted Microsoft kagglecatsanddogs zip), ` +
      'or the PetImages folder itself.',
  );
}

/** Lists every file under `dir` as [absolute path, name relative to `dir` with '/' separators]. */
async function walk(dir: string, rel: string, out: [string, string][]): Promise<void> {
  let dirents: Dirent[];
  try {
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new Error(`cats_vs_dogs: cannot list ${dir}: ${(e as Error).message}`);
  }
  for (const d of dirents) {
    const abs = path.join(dir, d.name);
    const name = `${rel}/${d.name}`;
    let isDir = d.isDirectory();
    let isFile = d.isFile();
    if (d.isSymbolicLink()) {
      try {
        const s = await stat(abs);
        isDir = s.isDirectory();
        isFile = s.isFile();
      } catch {
        isFile = true; // a dangling link: reported as unreadable if its name matches
      }
    }
    if (isDir) await walk(abs, name, out);
    else if (isFile) out.push([abs, name]);
  }
}

/** Reads up to `n` leading bytes of a file. */
export async function readHead(file: string, n = JFIF_WINDOW_BYTES): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await fh.read(buf, got, n - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * Lists cats_vs_dogs from an extracted `PetImages/` folder, the TFDS way (see the module doc).
 *
 * @param root the folder that contains `PetImages/` (or the `PetImages` folder itself).
 * @returns kept examples in TFDS order with absolute paths as sources; files the JFIF filter dropped
 *   in `skipped` (with a reason); names outside the pattern in `ignored`. Files that cannot be read
 *   (permissions, dangling links) are reported in `skipped` too.
 * @throws when the folder is missing or holds no `PetImages/<Cat|Dog>/<n>.jpg` file.
 */
export async function readPetImages(root: string, options: ReadPetImagesOptions = {}): Promise<PetImagesListing> {
  const absRoot = path.resolve(root);
  const petDir = await locatePetImages(absRoot);
  const files: [string, string][] = [];
  await walk(petDir, 'PetImages', files);
  const matching = files.filter(([, name]) => PET_IMAGES_NAME_RE.test(name));
  if (matching.length === 0) {
    throw new Error(
      `cats_vs_dogs: no images in ${petDir}: expected ${path.join(petDir, 'Cat')}${path.sep}<n>.jpg and ` +
        `${path.join(petDir, 'Dog')}${path.sep}<n>.jpg (found ${files.length} other file(s)).`,
    );
  }
  const concurrency = options.concurrency ?? 32;
  let done = 0;
  const entries = await mapLimit(matching, concurrency, async ([abs, name]): Promise<PetImagesEntry> => {
    try {
      const head = await readHead(abs);
      options.onProgress?.(++done, matching.length);
      return { name, where: abs, source: fileSource(abs), head };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      return { name, where: abs, head: new Uint8Array(0), readError: String(code) };
    }
  });
  for (const [abs, name] of files) {
    if (!PET_IMAGES_NAME_RE.test(name)) entries.push({ name, where: abs, head: new Uint8Array(0) });
  }
  return petImagesListing(entries);
}
