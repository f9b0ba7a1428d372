/**
 * A deterministic stand-in for cats_vs_dogs, written on first use into a cache folder in the
 * layout of Microsoft's archive (`PetImages/Cat/<n>.jpg`, `PetImages/Dog/<n>.jpg`) so that
 * {@link readPetImages} and everything after it run on it unchanged.
 *
 * - Cats are drawn faces with pointed triangular ears, slit eyes, a small nose and whiskers; dogs
 *   have long floppy ears, round eyes, a big round nose, a muzzle and a tongue. Position, scale
 *   (35–70% of the shorter side), rotation, proportions and colours are random, from distributions
 *   shared by both classes, on noisy gradient backgrounds with distractor shapes, also shared.
 *   Image sizes and JPEG qualities come from the same distributions for both classes.
 * - Every normal image is a baseline JPEG (sharp/mozjpeg) with a JFIF APP0 header inserted after
 *   SOI: sharp writes none, and the TFDS filter drops JPEGs without "JFIF" in the first 512 bytes.
 * - A few files are broken the ways the real archive's are ({@link demoBrokenFiles}).
 * - Deterministic: each image has its own PRNG seeded from (seed, class, index), so the bytes do not
 *   depend on concurrency. The same options give the same bytes (with the same sharp build).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { xferCacheDir } from '../fs/cache_dir.js';

/**
 * Bumped whenever the generator's output changes, so cached sets made by an older generator are
 * not reused (it is part of the default folder's hash).
 */
export const DEMO_GENERATOR_VERSION = 1;

/** The marker file written (last) into a completed demo folder, next to `PetImages/`. */
export const DEMO_MARKER_FILE = 'xfer-demo.json';

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

/** What {@link ensureDemoData} returns. */
export interface DemoData {
  /** The folder that contains `PetImages/` (pass it to `readPetImages`). */
  root: string;
  /** True when this call generated the set, false when a completed one was found. */
  created: boolean;
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

const CLASSES = ['Cat', 'Dog'] as const;

/**
 * The broken files a demo set with these options holds: the same indices in both classes,
 * `floor((k + 0.5) · perClass / 6)` for the k-th kind (perClass 600: 50, 150, …, 550). None when
 * `broken` is false or perClass < 6.
 */
export function demoBrokenFiles(options: Pick<DemoOptions, 'perClass' | 'broken'> = {}): DemoBrokenFile[] {
  const perClass = options.perClass ?? 600;
  if (options.broken === false || perClass < BROKEN_KINDS.length) return [];
  const out: DemoBrokenFile[] = [];
  for (const className of CLASSES) {
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

/** The default folder of a demo set: `<cache>/datasets/demo-<12 hex of sha256(options)>`. */
export function defaultDemoDir(options: DemoOptions = {}): string {
  const r = resolveDemoOptions(options);
  const hash = createHash('sha256').update(JSON.stringify(r)).digest('hex').slice(0, 12);
  return path.join(xferCacheDir(), 'datasets', `demo-${hash}`);
}

// ---------------------------------------------------------------------------------------------
// PRNG: a Weyl sequence through the murmur3 32-bit finalizer. Small, fast, good enough for pictures.

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small seeded PRNG. Exported for tests and tools; not cryptographic. */
export class DemoRng {
  private state: number;
  constructor(...seeds: number[]) {
    let s = 0x2545f491;
    for (const x of seeds) s = fmix32((s ^ (x >>> 0)) + 0x9e3779b9);
    this.state = s;
  }
  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return fmix32(this.state);
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Drawing

type Rgb = [number, number, number];

function hsl(h: number, s: number, l: number): Rgb {
  // h in [0, 360), s and l in [0, 1]
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const hp = (((h % 360) + 360) % 360) / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const [r, g, b] =
    hp < 1 ? [c, x, 0] : hp < 2 ? [x, c, 0] : hp < 3 ? [0, c, x] : hp < 4 ? [0, x, c] : hp < 5 ? [x, 0, c] : [c, 0, x];
  const m = l - c / 2;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

function css(c: Rgb): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function shade(c: Rgb, f: number): Rgb {
  // f < 0 darkens towards black, f > 0 lightens towards white
  return c.map((v) => Math.round(f < 0 ? v * (1 + f) : v + (255 - v) * f)) as Rgb;
}

function anyColor(rng: DemoRng): Rgb {
  return hsl(rng.range(0, 360), rng.range(0.1, 0.9), rng.range(0.15, 0.85));
}

/** A fur colour: the same distribution for cats and dogs (greys, browns, gingers, creams, odd hues). */
function furColor(rng: DemoRng): Rgb {
  if (rng.chance(0.25)) return hsl(rng.range(0, 360), rng.range(0.2, 0.7), rng.range(0.3, 0.75));
  return hsl(rng.range(15, 45), rng.range(0, 0.7), rng.range(0.12, 0.85));
}

const f2 = (x: number): string => x.toFixed(2);

/** Gradient + low-frequency colour blotches + per-pixel noise, as raw RGB. */
function background(rng: DemoRng, w: number, h: number): Buffer {
  const c0 = anyColor(rng);
  const c1 = rng.chance(0.3) ? shade(c0, rng.range(-0.4, 0.4)) : anyColor(rng);
  const ang = rng.range(0, Math.PI * 2);
  const ux = Math.cos(ang);
  const uy = Math.sin(ang);
  const half = (Math.abs(ux) * w + Math.abs(uy) * h) / 2 || 1;
  const gw = rng.int(2, 7);
  const gh = rng.int(2, 7);
  const blot = rng.range(0, 45);
  const grid = new Float32Array(gw * gh * 3);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.range(-blot, blot);
  const noise = rng.range(3, 30);
  const buf = Buffer.alloc(w * h * 3);
  const noiseRng = new DemoRng(rng.u32());
  const gx = new Float32Array(w);
  for (let x = 0; x < w; x++) gx[x] = (x * (gw - 1)) / Math.max(1, w - 1);
  let o = 0;
  for (let y = 0; y < h; y++) {
    const fy = (y * (gh - 1)) / Math.max(1, h - 1);
    const y0 = Math.min(gh - 2, Math.floor(fy));
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const t = Math.min(1, Math.max(0, ((x - w / 2) * ux + (y - h / 2) * uy) / (2 * half) + 0.5));
      const fx = gx[x]!;
      const x0 = Math.min(gw - 2, Math.floor(fx));
      const tx = fx - x0;
      const i00 = (y0 * gw + x0) * 3;
      const i10 = i00 + 3;
      const i01 = i00 + gw * 3;
      const i11 = i01 + 3;
      const r = noiseRng.u32();
      for (let c = 0; c < 3; c++) {
        const g =
          (grid[i00 + c]! * (1 - tx) + grid[i10 + c]! * tx) * (1 - ty) +
          (grid[i01 + c]! * (1 - tx) + grid[i11 + c]! * tx) * ty;
        const n = ((((r >>> (c * 8)) & 0xff) - 127.5) / 127.5) * noise;
        const v = c0[c]! + (c1[c]! - c0[c]!) * t + g + n;
        buf[o++] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return buf;
}

/** Random shapes shared by both classes (some of them triangles and ellipses, like ears). */
function distractor(rng: DemoRng, w: number, h: number, m: number): string {
  const x = rng.range(0, w);
  const y = rng.range(0, h);
  const s = rng.range(0.04, 0.22) * m;
  const fill = css(anyColor(rng));
  const op = f2(rng.range(0.5, 1));
  const rot = f2(rng.range(0, 360));
  switch (rng.int(0, 5)) {
    case 0:
      return `<circle cx="${f2(x)}" cy="${f2(y)}" r="${f2(s / 2)}" fill="${fill}" opacity="${op}"/>`;
    case 1:
      return `<rect x="${f2(-s / 2)}" y="${f2(-s / 3)}" width="${f2(s)}" height="${f2((s * 2) / 3)}" fill="${fill}" opacity="${op}" transform="translate(${f2(x)} ${f2(y)}) rotate(${rot})"/>`;
    case 2:
      return `<ellipse cx="0" cy="0" rx="${f2(s / 2)}" ry="${f2(s / 5)}" fill="${fill}" opacity="${op}" transform="translate(${f2(x)} ${f2(y)}) rotate(${rot})"/>`;
    case 3:
      return `<line x1="${f2(x)}" y1="${f2(y)}" x2="${f2(x + rng.range(-2, 2) * s)}" y2="${f2(y + rng.range(-2, 2) * s)}" stroke="${fill}" stroke-width="${f2(rng.range(1, 6))}" opacity="${op}"/>`;
    case 4: {
      const pts = Array.from({ length: rng.int(3, 6) }, () => `${f2(x + rng.range(-s, s))},${f2(y + rng.range(-s, s))}`);
      return `<polyline points="${pts.join(' ')}" fill="none" stroke="${fill}" stroke-width="${f2(rng.range(1, 5))}" opacity="${op}"/>`;
    }
    default:
      return `<polygon points="0,${f2(-s / 2)} ${f2(s / 2.5)},${f2(s / 2)} ${f2(-s / 2.5)},${f2(s / 2)}" fill="${fill}" opacity="${op}" transform="translate(${f2(x)} ${f2(y)}) rotate(${rot})"/>`;
  }
}

/** A cat face in unit coordinates: head radius ~1, ears up to y ≈ -1.6, whiskers to |x| ≈ 1.4. */
function catFace(rng: DemoRng, fur: Rgb): string {
  const dark = css(shade(fur, -0.45));
  const inner = css(hsl(rng.range(330, 360), rng.range(0.4, 0.8), rng.range(0.65, 0.85)));
  const earH = rng.range(1.35, 1.7);
  const earSpread = rng.range(0.75, 0.95);
  const ear = (sx: number): string => {
    const p = [
      [sx * (earSpread + 0.1), -0.25],
      [sx * (earSpread - 0.05), -earH],
      [sx * 0.2, -0.8],
    ];
    const q = [
      [sx * (earSpread - 0.02), -0.45],
      [sx * (earSpread - 0.08), -earH + 0.3],
      [sx * 0.35, -0.8],
    ];
    const pts = (a: number[][]): string => a.map((v) => `${f2(v[0]!)},${f2(v[1]!)}`).join(' ');
    return (
      `<polygon points="${pts(p)}" fill="${css(fur)}" stroke="${dark}" stroke-width="0.04"/>` +
      `<polygon points="${pts(q)}" fill="${inner}"/>`
    );
  };
  const iris = css(hsl(rng.range(45, 110), rng.range(0.6, 1), rng.range(0.4, 0.6)));
  const eyeX = rng.range(0.33, 0.42);
  const eyeY = rng.range(-0.2, -0.05);
  const eye = (sx: number): string =>
    `<ellipse cx="${f2(sx * eyeX)}" cy="${f2(eyeY)}" rx="0.19" ry="0.14" fill="${iris}" stroke="${dark}" stroke-width="0.03"/>` +
    `<ellipse cx="${f2(sx * eyeX)}" cy="${f2(eyeY)}" rx="0.04" ry="0.13" fill="#111"/>`;
  const whiskerColor = rng.chance(0.5) ? '#f4f4f4' : '#202020';
  let whiskers = '';
  for (const sx of [-1, 1]) {
    for (const dy of [-0.1, 0.05, 0.2]) {
      whiskers += `<line x1="${f2(sx * 0.22)}" y1="${f2(0.3 + dy / 3)}" x2="${f2(sx * rng.range(1.2, 1.45))}" y2="${f2(0.3 + dy * 2.2)}" stroke="${whiskerColor}" stroke-width="0.03"/>`;
    }
  }
  return (
    ear(-1) +
    ear(1) +
    `<ellipse cx="0" cy="0.05" rx="${f2(rng.range(0.92, 1.05))}" ry="${f2(rng.range(0.8, 0.9))}" fill="${css(fur)}" stroke="${dark}" stroke-width="0.04"/>` +
    eye(-1) +
    eye(1) +
    `<polygon points="-0.1,0.17 0.1,0.17 0,0.29" fill="${inner}" stroke="${dark}" stroke-width="0.02"/>` +
    `<path d="M0,0.29 Q-0.08,0.42 -0.2,0.36 M0,0.29 Q0.08,0.42 0.2,0.36" fill="none" stroke="${dark}" stroke-width="0.035"/>` +
    whiskers
  );
}

/** A dog face in unit coordinates: long floppy ears down the sides, round nose, tongue. */
function dogFace(rng: DemoRng, fur: Rgb): string {
  const earColor = css(rng.chance(0.7) ? shade(fur, -rng.range(0.25, 0.6)) : furColor(rng));
  const dark = css(shade(fur, -0.45));
  const muzzle = css(shade(fur, rng.range(0.25, 0.6)));
  const earLen = rng.range(0.75, 0.95);
  const earTilt = rng.range(8, 22);
  const ear = (sx: number): string =>
    `<ellipse cx="0" cy="${f2(earLen * 0.8)}" rx="0.3" ry="${f2(earLen)}" fill="${earColor}" stroke="${dark}" stroke-width="0.03" transform="translate(${f2(sx * 0.8)} -0.55) rotate(${f2(sx * earTilt)})"/>`;
  const eyeX = rng.range(0.3, 0.4);
  const eyeY = rng.range(-0.25, -0.1);
  const eye = (sx: number): string =>
    `<circle cx="${f2(sx * eyeX)}" cy="${f2(eyeY)}" r="0.14" fill="#f6f3ea"/>` +
    `<circle cx="${f2(sx * eyeX)}" cy="${f2(eyeY + 0.01)}" r="0.09" fill="#2a1a0e"/>`;
  const tongue = css(hsl(rng.range(345, 365), rng.range(0.6, 0.85), rng.range(0.55, 0.7)));
  const tongueLen = rng.range(0.18, 0.3);
  return (
    `<ellipse cx="0" cy="0" rx="${f2(rng.range(0.82, 0.92))}" ry="${f2(rng.range(0.88, 1.0))}" fill="${css(fur)}" stroke="${dark}" stroke-width="0.04"/>` +
    ear(-1) +
    ear(1) +
    `<ellipse cx="0" cy="${f2(0.72 + tongueLen / 2)}" rx="0.15" ry="${f2(tongueLen)}" fill="${tongue}" stroke="${css(shade(hsl(355, 0.7, 0.5), -0.3))}" stroke-width="0.02"/>` +
    `<ellipse cx="0" cy="0.45" rx="${f2(rng.range(0.42, 0.52))}" ry="0.35" fill="${muzzle}"/>` +
    eye(-1) +
    eye(1) +
    `<ellipse cx="0" cy="0.3" rx="${f2(rng.range(0.17, 0.22))}" ry="0.14" fill="#141414"/>` +
    `<path d="M0,0.44 L0,0.58 M-0.2,0.64 Q0,0.78 0.2,0.64" fill="none" stroke="#141414" stroke-width="0.035"/>`
  );
}

interface Scene {
  width: number;
  height: number;
  quality: number;
  raw: Buffer;
  svg: string;
}

/** Everything random about one image, drawn from the image's own PRNG. */
function scene(opts: ResolvedDemoOptions, cls: 0 | 1, index: number): Scene {
  const rng = new DemoRng(opts.seed, cls, index);
  // Size: long side in [minSize, maxSize] (1 in 25: up to 1.8 × maxSize), aspect 0.55–1.
  const large = rng.chance(0.04);
  const long = large ? rng.int(opts.maxSize, Math.round(opts.maxSize * 1.8)) : rng.int(opts.minSize, opts.maxSize);
  const aspect = rng.range(0.55, 1);
  const short = Math.min(long, Math.max(opts.minSize, Math.round(long * aspect)));
  const landscape = rng.chance(0.65);
  const width = landscape ? long : short;
  const height = landscape ? short : long;
  const quality = rng.int(55, 95);
  const m = Math.min(width, height);
  const raw = background(rng, width, height);

  let back = '';
  for (let i = rng.int(2, 8); i > 0; i--) back += distractor(rng, width, height, m);
  // Face: fill 35–70% of the shorter side. A cat's drawing spans about 3 units (ears, whiskers), a
  // dog's about 2.3, so both appear the same size on average (size is no class cue).
  const fill = rng.range(0.35, 0.7);
  const scale = (fill * m) / (cls === 0 ? 3 : 2.3);
  const rot = rng.range(-35, 35);
  const stretch = rng.range(0.88, 1.12);
  const reach = 1.2 * scale; // keep most of the face inside the frame
  const cx = rng.range(Math.min(reach, width / 2), Math.max(width - reach, width / 2));
  const cy = rng.range(Math.min(reach, height / 2), Math.max(height - reach, height / 2));
  const fur = furColor(rng);
  const face = cls === 0 ? catFace(rng, fur) : dogFace(rng, fur);
  let front = '';
  if (rng.chance(0.3)) front = distractor(rng, width, height, m * 0.5);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    back +
    `<g transform="translate(${f2(cx)} ${f2(cy)}) rotate(${f2(rot)}) scale(${f2(scale * stretch)} ${f2(scale / stretch)})">${face}</g>` +
    front +
    '</svg>';
  return { width, height, quality, raw, svg };
}

function composite(s: Scene): Sharp {
  return sharp(s.raw, { raw: { width: s.width, height: s.height, channels: 3 } }).composite([
    { input: Buffer.from(s.svg), top: 0, left: 0 },
  ]);
}

/** A JFIF 1.01 APP0 segment: no units, 1:1 density, no thumbnail. */
const JFIF_APP0 = Buffer.from([
  0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
]);

/** Inserts a JFIF APP0 segment at byte `at` (default: right after SOI). */
export function insertJfifApp0(jpeg: Buffer, at = 2): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG (no SOI marker)');
  return Buffer.concat([jpeg.subarray(0, at), JFIF_APP0, jpeg.subarray(at)]);
}

/** Offset of the first SOS (start of scan) marker of a JPEG, or -1. */
export function findStartOfScan(jpeg: Uint8Array): number {
  let i = 2;
  while (i + 3 < jpeg.length) {
    if (jpeg[i] !== 0xff) return -1;
    const marker = jpeg[i + 1]!;
    if (marker === 0xda) return i;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    i += 2 + ((jpeg[i + 2]! << 8) | jpeg[i + 3]!);
  }
  return -1;
}

/** The bytes of one demo file. */
async function renderFile(opts: ResolvedDemoOptions, cls: 0 | 1, index: number, kind: DemoBrokenKind | null): Promise<Buffer> {
  if (kind === 'empty') return Buffer.alloc(0);
  const s = scene(opts, cls, index);
  const jpeg = (q: number): Promise<Buffer> => composite(s).jpeg({ quality: q }).toBuffer();
  switch (kind) {
    case null:
      return insertJfifApp0(await jpeg(s.quality));
    case 'truncated': {
      const full = insertJfifApp0(await jpeg(s.quality));
      const sos = findStartOfScan(full);
      return full.subarray(0, sos + Math.floor((full.length - sos) / 2));
    }
    case 'png':
      return composite(s).png({ compressionLevel: 6 }).toBuffer();
    case 'gif': {
      const small = await composite(s).jpeg().toBuffer();
      return sharp(small).resize(24, 24, { fit: 'fill' }).gif().toBuffer();
    }
    case 'no-jfif':
      return composite(s)
        .withExif({ IFD0: { Software: 'xfer demo', ImageDescription: `demo ${CLASSES[cls]} ${index}` } })
        .jpeg({ quality: s.quality })
        .toBuffer();
    case 'late-jfif': {
      // A large Exif APP1 first pushes the JFIF APP0 past byte 512: TFDS drops such files, an 8 KiB
      // window would keep them.
      const exif = await composite(s)
        .withExif({ IFD0: { Software: 'xfer demo', ImageDescription: `demo ${index} `.padEnd(700, '.') } })
        .jpeg({ quality: s.quality })
        .toBuffer();
      const app1End = 4 + ((exif[4]! << 8) | exif[5]!);
      return insertJfifApp0(exif, app1End);
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

/** Writes a demo set's files into `dir` (which must exist); returns nothing. */
async function generate(dir: string, opts: ResolvedDemoOptions, onProgress?: (done: number, total: number) => void): Promise<void> {
  const broken = new Map(demoBrokenFiles(opts).map((b) => [b.name, b.kind]));
  const jobs: { cls: 0 | 1; index: number }[] = [];
  for (const cls of [0, 1] as const) {
    await mkdir(path.join(dir, 'PetImages', CLASSES[cls]), { recursive: true });
    for (let index = 0; index < opts.perClass; index++) jobs.push({ cls, index });
  }
  const total = jobs.length;
  let done = 0;
  onProgress?.(0, total);
  const limit = Math.max(2, os.availableParallelism?.() ?? os.cpus().length) * 2;
  await mapLimit(jobs, limit, async ({ cls, index }) => {
    const name = `PetImages/${CLASSES[cls]}/${index}.jpg`;
    const bytes = await renderFile(opts, cls, index, broken.get(name) ?? null);
    await writeFile(path.join(dir, name), bytes);
    onProgress?.(++done, total);
  });
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
    await generate(tmp, opts, options.onProgress);
    const marker = { generator: 'xfer demo', options: opts, classes: CLASSES, broken: demoBrokenFiles(opts) };
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
