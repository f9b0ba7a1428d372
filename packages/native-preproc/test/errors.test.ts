import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { loadBinding } from '../src/binding.js';
import { DecodeError, decode, decodeResizeBatch, type DecodeErrorCode } from '../src/index.js';
import {
  bmp2x2,
  withExtraneousBytes,
  withJpegDims,
  withJpegPrecision12,
  withPngDims,
} from './fixtures.js';
import { corpus, corpusPath, rng, tempDir } from './helpers.js';

const baseline = corpus().find((e) => !e.prog && !e.gray && e.w * e.h < 200_000)!;
const jpegPath = corpusPath(baseline);
const jpeg = new Uint8Array(readFileSync(jpegPath));
const png = () => sharp(jpegPath).resize(64, 48).png().toBuffer();

function randomBytes(n: number, seed: number): Uint8Array {
  const next = rng(seed);
  const b = Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
  b[0] = 0x00; // never a JPEG or PNG signature by chance
  return b;
}

async function expectDecodeError(source: string | Uint8Array, code: DecodeErrorCode, reason?: RegExp) {
  const name = typeof source === 'string' ? source : '<buffer>';
  const err = await decode(source).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DecodeError);
  const de = err as DecodeError;
  expect(de.code).toBe(code);
  expect(de.source).toBe(name);
  expect(de.message.startsWith(`${name}: `)).toBe(true);
  if (reason) expect(de.message).toMatch(reason);
  return de;
}

describe('decode() failures are typed and name the source', () => {
  it('0 bytes -> EMPTY', async () => {
    await expectDecodeError(new Uint8Array(0), 'EMPTY', /empty/);
  });

  it('truncated JPEG -> TRUNCATED, at any cut', async () => {
    for (const cut of [2, 3, 20, 400, jpeg.length >> 1, jpeg.length - 1]) {
      await expectDecodeError(jpeg.subarray(0, cut), 'TRUNCATED', /truncated/i);
    }
  });

  it('truncated PNG -> TRUNCATED', async () => {
    const p = await png();
    for (const cut of [5, 8, 30, 60, p.length >> 1]) {
      await expectDecodeError(p.subarray(0, cut), 'TRUNCATED', /truncated/i);
    }
  });

  it('random bytes, GIF, BMP and WebP -> UNSUPPORTED_FORMAT', async () => {
    const gif = await sharp(jpegPath).resize(8, 8).gif().toBuffer();
    const webp = await sharp(jpegPath).resize(8, 8).webp().toBuffer();
    await expectDecodeError(randomBytes(4096, 7), 'UNSUPPORTED_FORMAT', /unsupported format/);
    await expectDecodeError(gif, 'UNSUPPORTED_FORMAT', /GIF/);
    await expectDecodeError(bmp2x2(), 'UNSUPPORTED_FORMAT', /BMP/);
    await expectDecodeError(webp, 'UNSUPPORTED_FORMAT', /WebP/);
  });

  it('a JPEG header declaring 60000x60000 -> TOO_LARGE from the header, before allocating', async () => {
    const bomb = withJpegDims(jpeg, 60000, 60000);
    const before = process.memoryUsage().rss;
    // The message comes from the header check, not from a failed 10.8 GB allocation.
    await expectDecodeError(bomb, 'TOO_LARGE', /60000x60000 = 3600000000 pixels, over the limit of 100000000/);
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 1024 * 1024);
  });

  it('a PNG header declaring 60000x60000 -> TOO_LARGE', async () => {
    await expectDecodeError(withPngDims(await png(), 60000, 60000), 'TOO_LARGE', /60000x60000/);
  });

  it('maxPixels is configurable, and the limit is inclusive', async () => {
    const pixels = baseline.w * baseline.h;
    const err = await decode(jpeg, { maxPixels: pixels - 1 }).catch((e: DecodeError) => e);
    expect((err as DecodeError).code).toBe('TOO_LARGE');
    const ok = await decode(jpeg, { maxPixels: pixels });
    expect([ok.width, ok.height]).toEqual([baseline.w, baseline.h]);
  });

  it('unsupported JPEG features and bad PNG checksums -> CORRUPT', async () => {
    await expectDecodeError(withJpegPrecision12(jpeg), 'CORRUPT', /precision/);
    const p = Uint8Array.from(await png());
    p[p.length >> 1]! ^= 0xff; // inside IDAT: CRC mismatch
    await expectDecodeError(p, 'CORRUPT', /PNG/);
  });

  it('a missing file or a directory -> IO, naming the path', async () => {
    const dir = tempDir('xfer-io-');
    await expectDecodeError(join(dir, 'missing.jpg'), 'IO', /No such file/);
    await expectDecodeError(dir, 'IO');
  });
});

describe('corrupt-data warnings', () => {
  it('are counted, not fatal', async () => {
    const warned = withExtraneousBytes(jpeg);
    const [clean, batch] = await Promise.all([
      decodeResizeBatch([jpeg], { size: [50, 40] }),
      decodeResizeBatch([warned, jpeg, warned], { size: [50, 40] }),
    ]);
    expect(batch.failures).toEqual([]);
    expect(Array.from(batch.ok)).toEqual([1, 1, 1]);
    expect(batch.warnings).toBe(2);
    expect(clean.warnings).toBe(0);
    const slot = 50 * 40 * 3;
    expect(Buffer.from(batch.data.subarray(0, slot)).equals(Buffer.from(clean.data))).toBe(true);
  });
});

describe('option validation', () => {
  const ok = [jpegPath];
  const cases: Array<[string, unknown, RegExp]> = [
    ['missing size', {}, /size must be \[width, height\]/],
    ['size of 3', { size: [1, 2, 3] }, /size must be \[width, height\]/],
    ['zero width', { size: [0, 10] }, /width\) must be an integer from 1 to 16384, got 0/],
    ['fractional height', { size: [10, 1.5] }, /height\) must be an integer from 1 to 16384/],
    ['too large', { size: [16385, 10] }, /from 1 to 16384/],
    ['bad mode', { size: [10, 10], mode: 'slow' }, /mode must be 'fast' or 'exact', got "slow"/],
    ['bad dtype', { size: [10, 10], dtype: 'int8' }, /dtype must be 'uint8' or 'float32'/],
    ['zero threads', { size: [10, 10], threads: 0 }, /threads must be an integer from 1 to 256, got 0/],
    ['maxPixels 0', { size: [10, 10], maxPixels: 0 }, /maxPixels must be an integer from 1/],
  ];
  it.each(cases)('%s is rejected with what is valid', async (_name, options, message) => {
    await expect(decodeResizeBatch(ok, options as never)).rejects.toThrow(message);
  });

  it('sources must be an array of paths or Uint8Arrays', async () => {
    await expect(decodeResizeBatch('x.jpg' as never, { size: [1, 1] })).rejects.toThrow(/sources must be an array/);
    await expect(decodeResizeBatch([42] as never, { size: [1, 1] })).rejects.toThrow(
      /sources\[0\] must be a file path string or a Uint8Array/,
    );
    await expect(decode({} as never)).rejects.toThrow(TypeError);
    await expect(decode(jpeg, { maxPixels: -1 })).rejects.toThrow(/maxPixels must be an integer/);
  });
});

// The TS wrapper validates first; these are what a direct caller of the addon gets.
describe('raw addon arguments', () => {
  const addon = loadBinding();
  const warp = { fill: 'reflect', fillValue: 0, interpolation: 'bilinear', scale: 1, offset: 0, dtype: 'uint8' } as const;
  const one = { width: 1, height: 1, flipHorizontal: false, flipVertical: false, angle: 0, ...warp };

  it('augment takes its pixels only as a Uint8Array', async () => {
    await expect(addon.augment(new Uint8Array([1, 2, 3]), one)).resolves.toBeInstanceOf(ArrayBuffer);
    for (const pixels of [new Float32Array(3), [1, 2, 3], undefined]) {
      expect(() => addon.augment(pixels as never, one)).toThrow(new TypeError('pixels must be a Uint8Array'));
    }
  });

  it('fusedBatch takes pixels as a Uint8Array and images as a Float64Array', () => {
    const options = { device: 'cpu', width: 1, height: 1, ...warp, repeats: 1 } as const;
    expect(() => addon.fusedBatch(new Int8Array(3) as never, new Float64Array(6), options)).toThrow(
      new TypeError('pixels must be a Uint8Array'),
    );
    expect(() => addon.fusedBatch(new Uint8Array(3), new Float32Array(6) as never, options)).toThrow(
      new TypeError('images must be a Float64Array'),
    );
  });

  it('enum options cross by name: an unknown name is a TypeError listing the allowed ones', async () => {
    expect(() => addon.augment(new Uint8Array(3), { ...one, fill: 'mirror' as never })).toThrow(
      new TypeError("options.fill must be one of 'reflect', 'wrap', 'constant', 'nearest', got 'mirror'"),
    );
    expect(() => addon.augment(new Uint8Array(3), { ...one, dtype: 1 as never })).toThrow(
      new TypeError("options.dtype must be one of 'uint8', 'float32', got a non-string"),
    );
    expect(() => addon.epochOrder({ count: 3, shuffle: false, seed: 0, epoch: -1 })).toThrow(
      new RangeError('options.epoch must be an integer from 0 to 9007199254740991'),
    );
    expect(() => addon.augment(new Uint8Array(3), undefined as never)).toThrow(
      new TypeError('argument 2 must be an options object'),
    );
  });

  it('limits are the TS layer\'s: the addon checks only what memory safety needs', async () => {
    // Wider than MAX_SIDE (16384) and the old 65535 cap; memory-safe, so accepted.
    const wide = await addon.augment(new Uint8Array(70_000 * 3), { ...one, width: 70_000 });
    expect(wide.byteLength).toBe(70_000 * 3);
    // A side the ops' int pixel indexing cannot hold is refused.
    expect(() => addon.augment(new Uint8Array(3), { ...one, width: 2 ** 30 })).toThrow(/options\.width must be an integer from 1 to 536870911/);
  });
});

describe('robustness', () => {
  it('survives 300 mutated JPEG and PNG streams in one batch', async () => {
    const next = rng(42);
    const p = new Uint8Array(await png());
    const small = new Uint8Array(readFileSync(corpusPath(corpus().sort((a, b) => a.bytes - b.bytes)[0]!)));
    const mutants: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) {
      const src = i % 2 ? p : small;
      let m = Uint8Array.from(src);
      const kind = i % 3;
      if (kind === 0) {
        for (let k = 0; k < 1 + Math.floor(next() * 8); k++) m[Math.floor(next() * m.length)] = Math.floor(next() * 256);
      } else if (kind === 1) {
        m = m.subarray(0, Math.floor(next() * m.length));
      } else {
        const at = Math.floor(next() * m.length);
        const junk = Uint8Array.from({ length: 1 + Math.floor(next() * 64) }, () => Math.floor(next() * 256));
        const out = new Uint8Array(m.length + junk.length);
        out.set(m.subarray(0, at));
        out.set(junk, at);
        out.set(m.subarray(at), at + junk.length);
        m = out;
      }
      mutants.push(m);
    }
    const size: [number, number] = [24, 16];
    const res = await decodeResizeBatch(mutants, { size, threads: 2, maxPixels: 4_000_000 });
    const slot = size[0] * size[1] * 3;
    const failed = new Set(res.failures.map((f) => f.index));
    for (let i = 0; i < mutants.length; i++) {
      expect(res.ok[i]).toBe(failed.has(i) ? 0 : 1);
      if (failed.has(i)) expect(res.data.subarray(i * slot, (i + 1) * slot).every((v) => v === 0)).toBe(true);
    }
    for (const f of res.failures) {
      expect(['EMPTY', 'TRUNCATED', 'UNSUPPORTED_FORMAT', 'CORRUPT', 'TOO_LARGE']).toContain(f.code);
      expect([f.source, f.reason.startsWith(`${f.code}: `)]).toEqual([`<buffer #${f.index}>`, true]);
    }
    // Both outcomes occur, so the mutations do exercise the decoders.
    expect(res.failures.length).toBeGreaterThan(20);
    expect(res.failures.length).toBeLessThan(mutants.length);
  });
});
