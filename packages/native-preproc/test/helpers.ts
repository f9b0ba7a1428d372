/**
 * Shared fixtures and independent references for the tests: the benchmark
 * corpus, sharp (libvips) decodes, djpeg and tfjs-backend-cpu's resizeBilinear.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';
import { onTestFinished } from 'vitest';

export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const corpusDir = resolve(packageRoot, '../../../shared/bench-corpus');

/** A new directory under the OS temp dir for the current test, removed when the test ends, pass or fail. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface CorpusEntry {
  f: string;
  w: number;
  h: number;
  q: number;
  gray: boolean;
  prog: boolean;
  samp: string;
  enc: string;
  bytes: number;
}

let corpusCache: CorpusEntry[] | undefined;

/** corpus.json, in file order. Throws (rather than skipping) when the corpus is missing. */
export function corpus(): CorpusEntry[] {
  if (corpusCache) return corpusCache;
  const index = join(corpusDir, 'corpus.json');
  if (!existsSync(index)) {
    throw new Error(`benchmark corpus not found at ${corpusDir} (expected ../../../shared/bench-corpus from the package)`);
  }
  corpusCache = JSON.parse(readFileSync(index, 'utf8')) as CorpusEntry[];
  return corpusCache;
}

export function corpusPath(e: CorpusEntry): string {
  return join(corpusDir, e.f);
}

/**
 * A deterministic, varied subset: every kind the corpus has (grayscale,
 * progressive, 4:4:4 / 4:2:2 / 4:2:0, cjpeg / ImageMagick) plus the largest file.
 */
export function corpusSample(count: number, maxPixels = Infinity): CorpusEntry[] {
  const all = corpus().filter((e) => e.w * e.h <= maxPixels);
  const kinds: Array<(e: CorpusEntry) => boolean> = [
    (e) => e.gray && !e.prog,
    (e) => e.prog && !e.gray,
    (e) => e.gray && e.prog,
    (e) => e.samp === '1x1' && !e.prog,
    (e) => e.samp === '2x1' && !e.prog,
    (e) => e.enc === 'magick' && !e.prog && !e.gray,
    (e) => e.enc === 'cjpeg' && !e.prog && !e.gray && e.samp === '2x2',
  ];
  const picked = new Set<CorpusEntry>();
  const largest = [...all].sort((a, b) => b.w * b.h - a.w * a.h)[0];
  if (largest && count > 0) picked.add(largest);
  for (let round = 0; picked.size < count && round < all.length; round++) {
    for (const kind of kinds) {
      if (picked.size >= count) break;
      const matches = all.filter(kind);
      const e = matches[round];
      if (e) picked.add(e);
    }
  }
  return [...picked];
}

export interface Rgb {
  data: Uint8Array;
  width: number;
  height: number;
}

/** sharp's (libvips') decode of the same bytes, as packed sRGB without alpha. */
export async function sharpRgb(input: string | Uint8Array): Promise<Rgb> {
  const { data, info } = await sharp(input)
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`sharp gave ${info.channels} channels`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** Mean absolute difference per channel of two packed RGB arrays. */
export function meanAbsDiffPerChannel(a: ArrayLike<number>, b: ArrayLike<number>): [number, number, number] {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  const sum = [0, 0, 0];
  for (let i = 0; i < a.length; i++) sum[i % 3]! += Math.abs(a[i]! - b[i]!);
  const n = a.length / 3;
  return [sum[0]! / n, sum[1]! / n, sum[2]! / n];
}

export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const [r, g, b2] = meanAbsDiffPerChannel(a, b);
  return (r + g + b2) / 3;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function hasCommand(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const hasDjpeg = hasCommand('djpeg', ['-version']);

/**
 * libjpeg-turbo's djpeg at DCT scale num/8: an independent decode of the
 * same stream at the same scale. Grayscale (PGM) output is expanded to RGB;
 * CMYK output is djpeg's own CMYK->RGB conversion.
 */
export function djpeg(file: string, num = 8, denom = 8): Rgb {
  const out = execFileSync('djpeg', ['-scale', `${num}/${denom}`, '-pnm', file], { maxBuffer: 1 << 28 });
  return parsePnm(out);
}

function parsePnm(buf: Buffer): Rgb {
  // Header: magic, width, height, maxval, each separated by whitespace.
  const fields: string[] = [];
  let pos = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(buf[pos]!))) pos++;
    let start = pos;
    while (!/\s/.test(String.fromCharCode(buf[pos]!))) pos++;
    fields.push(buf.subarray(start, pos).toString('latin1'));
  }
  pos++; // the single whitespace byte before the raster
  const [magic, w, h] = fields;
  const width = Number(w);
  const height = Number(h);
  const raster = buf.subarray(pos);
  if (magic === 'P6') return { data: new Uint8Array(raster.subarray(0, width * height * 3)), width, height };
  if (magic !== 'P5') throw new Error(`unexpected PNM magic ${magic}`);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = raster[i]!;
  return { data, width, height };
}

/** The DCT scale (n/8) the fast path should use, computed here independently of the C++. */
export function expectedDctScale(w: number, h: number, tw: number, th: number): { num: number; width: number; height: number } {
  const scaled = (d: number, n: number) => Math.ceil((d * n) / 8);
  // Smallest covering output among the scales with SIMD IDCTs: 1/8, 1/4, 1/2, 1.
  let best = { num: 8, width: w, height: h };
  for (const num of [4, 2, 1]) {
    const sw = scaled(w, num);
    const sh = scaled(h, num);
    if (sw >= tw && sh >= th && sw * sh < best.width * best.height) best = { num, width: sw, height: sh };
  }
  return best;
}

/** CRC-32 (PNG chunk checksum), so tests can patch PNG headers and keep them valid. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Seeded PRNG (mulberry32) so "random" fixtures are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
