/**
 * What a demo set holds: its options, which files are broken and how, and the bytes of each file.
 * The bytes depend only on the resolved options (each image has its own PRNG seeded from seed,
 * class and index), never on how many files are written at once.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { composite, scene } from './demo_drawing.js';
import { insertJfifApp0, insertJfifApp0AfterFirstSegment, truncateInScan } from './jpeg_surgery.js';

/**
 * Bumped whenever the generator's output changes, so cached sets made by an older generator are
 * not reused (it is part of the default folder's hash).
 */
export const DEMO_GENERATOR_VERSION = 1;

/** Options of {@link ensureDemoData}. All but `dir` and `onProgress` change the folder's hash. */
export interface DemoOptions {
  /**
   * The folder to hold `PetImages/`. Default: `$XFER_CACHE_DIR/datasets/demo-<hash of options>`,
   * with XFER_CACHE_DIR defaulting to `~/.cache/xfer`.
   */
  dir?: string;
  /** Images per class, named 0.jpg … (perClass-1).jpg (default 600). */
  perClass?: number;
  /** Smallest side, in pixels, of most images (default 200). */
  minSize?: number;
  /** Largest side of most images (default 500); about 1 in 25 images is larger, up to 1.8×. */
  maxSize?: number;
  /** PRNG seed, an integer (default 1). */
  seed?: number;
  /** Write the broken files of {@link demoBrokenFiles} (default true; needs perClass ≥ 6). */
  broken?: boolean;
  /** Called after each file is written, and once with (0, total) at the start of a generation. */
  onProgress?: (done: number, total: number) => void;
}

/** The options that define a demo set's content, with defaults filled in. */
export interface ResolvedDemoOptions {
  version: number;
  perClass: number;
  minSize: number;
  maxSize: number;
  seed: number;
  broken: boolean;
}

/** The kinds of broken file the demo set includes, as found in Microsoft's archive. */
export type DemoBrokenKind =
  | 'empty' // 0 bytes
  | 'truncated' // a JFIF JPEG cut in the middle of its scan data
  | 'png' // PNG bytes named .jpg
  | 'gif' // a tiny GIF89a named .jpg
  | 'no-jfif' // a valid JPEG with an Exif APP1 and no JFIF APP0
  | 'late-jfif'; // a valid JPEG whose JFIF APP0 comes after a large Exif APP1, past byte 512

/** One broken file of a demo set. */
export interface DemoBrokenFile {
  className: 'Cat' | 'Dog';
  index: number;
  /** e.g. `PetImages/Cat/50.jpg` */
  name: string;
  kind: DemoBrokenKind;
  /** Whether TFDS's filter ("JFIF" within the first 512 bytes) keeps it. */
  keptByJfifFilter: boolean;
  /** Whether a JPEG decoder reads it without error. */
  decodable: boolean;
}

const BROKEN_KINDS: readonly { kind: DemoBrokenKind; kept: boolean; decodable: boolean }[] = [
  { kind: 'empty', kept: false, decodable: false },
  { kind: 'truncated', kept: true, decodable: false },
  { kind: 'png', kept: false, decodable: true },
  { kind: 'gif', kept: false, decodable: true },
  { kind: 'no-jfif', kept: false, decodable: true },
  { kind: 'late-jfif', kept: false, decodable: true },
];

/** The class folders under `PetImages/`, in label order. */
export const DEMO_CLASSES = ['Cat', 'Dog'] as const;

/**
 * The broken files a demo set with these options holds: the same indices in both classes,
 * `floor((k + 0.5) · perClass / 6)` for the k-th kind (perClass 600: 50, 150, …, 550). None when
 * `broken` is false or perClass < 6.
 */
export function demoBrokenFiles(options: Pick<DemoOptions, 'perClass' | 'broken'> = {}): DemoBrokenFile[] {
  const perClass = options.perClass ?? 600;
  if (options.broken === false || perClass < BROKEN_KINDS.length) return [];
  const out: DemoBrokenFile[] = [];
  for (const className of DEMO_CLASSES) {
    BROKEN_KINDS.forEach((b, k) => {
      const index = Math.floor(((k + 0.5) * perClass) / BROKEN_KINDS.length);
      out.push({
        className,
        index,
        name: `PetImages/${className}/${index}.jpg`,
        kind: b.kind,
        keptByJfifFilter: b.kept,
        decodable: b.decodable,
      });
    });
  }
  return out;
}

/** Fills in defaults and validates; throws RangeError on bad values. */
export function resolveDemoOptions(options: DemoOptions = {}): ResolvedDemoOptions {
  const r: ResolvedDemoOptions = {
    version: DEMO_GENERATOR_VERSION,
    perClass: options.perClass ?? 600,
    minSize: options.minSize ?? 200,
    maxSize: options.maxSize ?? 500,
    seed: options.seed ?? 1,
    broken: options.broken ?? true,
  };
  const int = (name: string, v: number, lo: number, hi: number): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new RangeError(`demo data: ${name} must be an integer in [${lo}, ${hi}], got ${v}`);
    }
  };
  int('perClass', r.perClass, 1, 1_000_000);
  int('minSize', r.minSize, 16, 4096);
  int('maxSize', r.maxSize, 16, 4096);
  int('seed', r.seed, 0, 0xffffffff);
  if (r.maxSize < r.minSize) throw new RangeError(`demo data: maxSize (${r.maxSize}) < minSize (${r.minSize})`);
  return r;
}

/** The bytes of one demo file. */
async function renderFile(opts: ResolvedDemoOptions, cls: 0 | 1, index: number, kind: DemoBrokenKind | null): Promise<Buffer> {
  if (kind === 'empty') return Buffer.alloc(0);
  const s = scene(opts, cls, index);
  const jpeg = (q: number): Promise<Buffer> => composite(s).jpeg({ quality: q }).toBuffer();
  switch (kind) {
    case null:
      return insertJfifApp0(await jpeg(s.quality));
    case 'truncated':
      return truncateInScan(insertJfifApp0(await jpeg(s.quality)));
    case 'png':
      return composite(s).png({ compressionLevel: 6 }).toBuffer();
    case 'gif': {
      const small = await composite(s).jpeg().toBuffer();
      return sharp(small).resize(24, 24, { fit: 'fill' }).gif().toBuffer();
    }
    case 'no-jfif':
      return composite(s)
        .withExif({ IFD0: { Software: 'xfer demo', ImageDescription: `demo ${DEMO_CLASSES[cls]} ${index}` } })
        .jpeg({ quality: s.quality })
        .toBuffer();
    case 'late-jfif': {
      // A large Exif APP1 first pushes the JFIF APP0 past byte 512: TFDS drops such files, an 8 KiB
      // window would keep them.
      const exif = await composite(s)
        .withExif({ IFD0: { Software: 'xfer demo', ImageDescription: `demo ${index} `.padEnd(700, '.') } })
        .jpeg({ quality: s.quality })
        .toBuffer();
      return insertJfifApp0AfterFirstSegment(exif);
    }
  }
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/**
 * Writes a demo set's files into `dir`, which must exist. Files are rendered several at a time
 * (sharp encodes off the main thread), twice as many as there are cores.
 */
export async function writeDemoFiles(dir: string, opts: ResolvedDemoOptions, onProgress?: (done: number, total: number) => void): Promise<void> {
  const broken = new Map(demoBrokenFiles(opts).map((b) => [b.name, b.kind]));
  const jobs: { cls: 0 | 1; index: number }[] = [];
  for (const cls of [0, 1] as const) {
    await mkdir(path.join(dir, 'PetImages', DEMO_CLASSES[cls]), { recursive: true });
    for (let index = 0; index < opts.perClass; index++) jobs.push({ cls, index });
  }
  const total = jobs.length;
  let done = 0;
  onProgress?.(0, total);
  const limit = Math.max(2, os.availableParallelism?.() ?? os.cpus().length) * 2;
  await mapLimit(jobs, limit, async ({ cls, index }) => {
    const name = `PetImages/${DEMO_CLASSES[cls]}/${index}.jpg`;
    const bytes = await renderFile(opts, cls, index, broken.get(name) ?? null);
    await writeFile(path.join(dir, name), bytes);
    onProgress?.(++done, total);
  });
}
