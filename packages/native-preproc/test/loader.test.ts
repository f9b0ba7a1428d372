import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  DecodeError,
  Loader,
  augment,
  augmentParams,
  benchDecodeOnly,
  decode,
  decodeResizeBatch,
  epochOrder,
  type Batch,
  type ByteRange,
  type LoaderOptions,
  type Source,
} from '../src/index.js';
import { addonPath } from '../src/binding.js';
import { withJpegDims } from './fixtures.js';
import { corpus, corpusPath, rng, tempDir } from './helpers.js';

interface Collected {
  data: Array<Float32Array | Uint8Array>;
  labels: number[][];
  indices: number[][];
  sizes: number[];
}

/** Runs one epoch, copying every batch (slots are reused after release). */
async function collect(loader: Loader, epoch: number): Promise<Collected> {
  const out: Collected = { data: [], labels: [], indices: [], sizes: [] };
  for await (const b of loader.epoch(epoch)) {
    out.data.push(b.data.slice());
    out.labels.push(Array.from(b.labels));
    out.indices.push(Array.from(b.indices));
    out.sizes.push(b.size);
    b.release();
  }
  return out;
}

function bytes(a: Float32Array | Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function expectSame(a: Collected, b: Collected, what: string) {
  expect(b.sizes, what).toEqual(a.sizes);
  expect(b.indices, what).toEqual(a.indices);
  expect(b.labels, what).toEqual(a.labels);
  for (let i = 0; i < a.data.length; i++) expect(bytes(b.data[i]!).equals(bytes(a.data[i]!)), `${what}: batch ${i}`).toBe(true);
}

// Small, varied corpus images keep the suite fast on 2 cores.
const files = corpus()
  .filter((e) => e.w * e.h <= 200_000)
  .filter((_, i) => i % 23 === 0)
  .slice(0, 26)
  .map(corpusPath);
const labels = files.map((_, i) => (i * 7) % 3);
const size: [number, number] = [64, 48];
const augmentOptions = { flip: 'both', rotation: 0.15, fill: 'reflect' } as const;
const normalize = { scale: 1 / 127.5, offset: -1 };

function base(extra: Partial<LoaderOptions> = {}): LoaderOptions {
  return { sources: files, labels, size, batchSize: 5, shuffle: true, seed: 3, augment: augmentOptions, normalize, threads: 2, ...extra };
}

describe('Loader output', () => {
  it('each image is augment(resized image, augmentParams(seed, epoch, index)) in the seeded order, labels attached', async () => {
    const loader = new Loader(base());
    const resized = await decodeResizeBatch(files, { size, mode: 'fast' });
    expect(resized.failures).toEqual([]);
    const pixels = size[0] * size[1] * 3;
    try {
      for (const epoch of [0, 1]) {
        const got = await collect(loader, epoch);
        expect(got.sizes).toEqual([5, 5, 5, 5, 5, 1]);
        expect(got.indices.flat()).toEqual(Array.from(epochOrder(files.length, { shuffle: true, seed: 3, epoch })));
        for (let b = 0; b < got.data.length; b++) {
          const data = got.data[b] as Float32Array;
          expect(data).toBeInstanceOf(Float32Array);
          expect(data.length).toBe(got.sizes[b]! * pixels);
          for (let j = 0; j < got.sizes[b]!; j++) {
            const index = got.indices[b]![j]!;
            expect(got.labels[b]![j]).toBe(labels[index]);
            const image = { data: resized.data.subarray(index * pixels, (index + 1) * pixels) as Uint8Array, width: size[0], height: size[1], channels: 3 as const };
            const want = await augment(image, {
              ...augmentParams(3, epoch, index, augmentOptions),
              fill: 'reflect',
              normalize,
              dtype: 'float32',
            });
            expect(bytes(data.subarray(j * pixels, (j + 1) * pixels)).equals(bytes(want.data)), `epoch ${epoch} source ${index}`).toBe(true);
          }
        }
      }
    } finally {
      await loader.close();
    }
  });

  it('is bitwise identical for 1 and 2 threads, prefetch 0, 1 and 4, memory and no cache (float32 and uint8)', async () => {
    for (const dtype of ['float32', 'uint8'] as const) {
      let reference: Collected[] | undefined;
      for (const [threads, prefetch, cache] of [
        [1, 2, 'memory'],
        [2, 0, 'memory'],
        [2, 4, 'none'],
        [2, 1, 'memory'],
      ] as const) {
        const loader = new Loader(base({ threads, prefetch, cache, dtype, batchSize: 4 }));
        const runs = [await collect(loader, 0), await collect(loader, 1)];
        await loader.close();
        if (!reference) {
          reference = runs;
          expect(runs[0]!.data[0]).toBeInstanceOf(dtype === 'float32' ? Float32Array : Uint8Array);
        } else {
          runs.forEach((r, e) => expectSame(reference![e]!, r, `${dtype} threads ${threads} prefetch ${prefetch} ${cache}, epoch ${e}`));
        }
      }
    }
  });

  it('dropRemainder drops the last partial batch; no shuffle keeps source order; uint8 without normalize is the resized image', async () => {
    const loader = new Loader({ sources: files, labels, size, batchSize: 8, dropRemainder: true, dtype: 'uint8', threads: 2 });
    const resized = await decodeResizeBatch(files, { size });
    const got = await collect(loader, 0);
    await loader.close();
    expect(got.sizes).toEqual([8, 8, 8]);
    expect(got.indices.flat()).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(bytes(Buffer.concat(got.data.map(bytes)) as unknown as Uint8Array).equals(bytes(resized.data.subarray(0, 24 * 64 * 48 * 3)))).toBe(true);
  });
});

describe('Loader cache', () => {
  const imageBytes = size[0] * size[1] * 3;

  it("memory: epoch 2 decodes nothing; the cache costs N x H x W x 3 bytes plus bookkeeping (<= 1.05x)", async () => {
    const loader = new Loader(base());
    try {
      const first = await collect(loader, 0);
      const s1 = loader.stats();
      expect(s1.decoded).toBe(files.length);
      expect(s1.cachedImages).toBe(files.length);
      expect(s1.perStageMs.decode).toBeGreaterThan(0);
      const second = await collect(loader, 1);
      const s2 = loader.stats();
      expect(s2.decoded).toBe(files.length);
      expect(s2.perStageMs.read).toBe(s1.perStageMs.read);
      expect(s2.perStageMs.decode).toBe(s1.perStageMs.decode);
      expect(s2.perStageMs.resize).toBe(s1.perStageMs.resize);
      expect(s2.perStageMs.augment).toBeGreaterThan(s1.perStageMs.augment);
      expect(s2.images).toBe(2 * files.length);
      const raw = files.length * imageBytes;
      expect(s2.cacheBytes).toBeGreaterThanOrEqual(raw);
      expect(s2.cacheBytes).toBeLessThanOrEqual(1.05 * raw);
      // Epoch 2's images come from the cache, with new draws.
      expect(second.indices).not.toEqual(first.indices);
    } finally {
      await loader.close();
    }
  });

  // Under ASan/UBSan (scripts/test-sanitized.sh) shadow memory and the allocator's quarantine inflate RSS.
  it.skipIf(!!process.env['XFER_SANITIZED'])('memory: the process really grows by about the cache size (not a float or full-size cache), and shrinks on close (RSS; skipped under sanitizers)', async () => {
    // 600 sources (one small JPEG repeated) at 150x150: a 40.5 MB uint8 cache.
    // A float32 cache would be 162 MB; caching the decoded full-size images more still.
    const jpeg = new Uint8Array(readFileSync(files[3]!));
    const n = 600;
    const cacheBytes = n * 150 * 150 * 3;
    const before = process.memoryUsage().rss;
    const loader = new Loader({
      sources: Array.from({ length: n }, () => jpeg),
      labels: new Int32Array(n),
      size: [150, 150],
      batchSize: 8,
      prefetch: 1,
      dtype: 'uint8',
      threads: 2,
    });
    for await (const b of loader.epoch(0)) b.release();
    const grown = process.memoryUsage().rss - before;
    expect(loader.stats().cacheBytes).toBeLessThanOrEqual(1.05 * cacheBytes);
    // The slack covers the ring (2 x 8 images), decoder scratch and allocator noise.
    expect(grown).toBeGreaterThan(0.9 * cacheBytes);
    expect(grown).toBeLessThan(1.05 * cacheBytes + 16 * 2 ** 20);
    const filled = process.memoryUsage().rss;
    await loader.close();
    expect(filled - process.memoryUsage().rss).toBeGreaterThan(0.9 * cacheBytes);
  });

  it("'none' decodes every epoch and gives the same batches as the memory cache", async () => {
    const none = new Loader(base({ cache: 'none' }));
    const memory = new Loader(base());
    try {
      for (const e of [0, 1]) expectSame(await collect(memory, e), await collect(none, e), `epoch ${e}`);
      expect(none.stats().decoded).toBe(2 * files.length);
      expect(none.stats().cacheBytes).toBe(0);
      expect(memory.stats().decoded).toBe(files.length);
    } finally {
      await Promise.all([none.close(), memory.close()]);
    }
  });

  it('disk: a second Loader reuses the file and decodes nothing; a changed size rebuilds it; one user at a time', async () => {
    const dir = tempDir('xfer-cache-');
    const path = join(dir, 'images.cache');
    const empty = join(dir, 'empty.jpg');
    writeFileSync(empty, new Uint8Array(0));
    const sources = [...files.slice(0, 9), empty, ...files.slice(9, 14)];
    const opts = (extra: Partial<LoaderOptions> = {}) =>
      base({ sources, labels: sources.map(() => 1), cache: { path }, batchSize: 4, ...extra });

    const a = new Loader(opts());
    const fromA = await collect(a, 0);
    expect(a.stats()).toMatchObject({ decoded: 15, cacheReused: false, cachedImages: 14 });
    const busy = new Loader(opts());
    await expect(collect(busy, 0)).rejects.toThrow(/in use by another Loader/);
    await busy.close();
    await a.close();
    const fileBytes = statSync(path).size;
    expect(fileBytes).toBeGreaterThanOrEqual(15 * imageBytes);

    const b = new Loader(opts());
    expectSame(fromA, await collect(b, 0), 'reused cache');
    expect(b.stats()).toMatchObject({ decoded: 0, cacheReused: true, cachedImages: 14 });
    expect(b.stats().skipped).toEqual([{ source: empty, index: 9, code: 'EMPTY', reason: expect.stringMatching(/^EMPTY: empty/) }]);
    expect(b.lengthKnown()).toBe(true);
    await b.close();

    const c = new Loader(opts({ size: [32, 32] }));
    await collect(c, 0);
    expect(c.stats()).toMatchObject({ decoded: 15, cacheReused: false });
    await c.close();
    expect(statSync(path).size).toBeLessThan(fileBytes);

    const d = new Loader(opts());
    expectSame(fromA, await collect(d, 0), 'rebuilt cache');
    expect(d.stats()).toMatchObject({ decoded: 15, cacheReused: false });
    await d.close();
  });

  it('an unusable cache path rejects the epoch with the reason', async () => {
    const loader = new Loader(base({ cache: { path: join(tmpdir(), 'xfer-no-such-dir', 'x', 'c.cache') } }));
    await expect(collect(loader, 0)).rejects.toThrow(/cannot open: No such file/);
    await loader.close();
  });
});

describe('Loader errors', () => {
  let dir: string;
  let bad: Array<{ path: string; code: string }>;
  let odd: string[]; // unusual but valid

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xfer-loader-errors-'));
    const jpeg = readFileSync(files[0]!);
    const photo = () => sharp(files[1]!).resize(90, 70);
    const write = (name: string, data: Uint8Array) => {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    };
    const next = rng(5);
    const random = Uint8Array.from({ length: 3000 }, () => Math.floor(next() * 256));
    random[0] = 0;
    bad = [
      { path: write('empty.jpg', new Uint8Array(0)), code: 'EMPTY' },
      { path: write('truncated.jpg', jpeg.subarray(0, jpeg.length >> 1)), code: 'TRUNCATED' },
      { path: write('random.jpg', random), code: 'UNSUPPORTED_FORMAT' },
      { path: write('gif.jpg', await photo().gif().toBuffer()), code: 'UNSUPPORTED_FORMAT' },
      { path: write('bomb.jpg', withJpegDims(jpeg, 60000, 60000)), code: 'TOO_LARGE' },
      { path: join(dir, 'missing.jpg'), code: 'IO' },
    ];
    odd = [
      write('png.jpg', await photo().png().toBuffer()),
      write('tiny.jpg', await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).jpeg().toBuffer()),
      write('cmyk.jpg', await photo().toColourspace('cmyk').jpeg().toBuffer()),
      write('png16.jpg', await photo().toColourspace('rgb16').png().toBuffer()),
    ];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function mixed(): string[] {
    // good, odd and bad interleaved, deterministic
    const out: string[] = [];
    const good = files.slice(0, 14);
    for (let i = 0; i < 14; i++) {
      out.push(good[i]!);
      if (i < odd.length) out.push(odd[i]!);
      if (i < bad.length) out.push(bad[i]!.path);
    }
    return out;
  }

  it("'skip': bad images are listed with their code, batches stay full, valid odd images (PNG named .jpg, 1x1, CMYK, 16-bit PNG) pass", async () => {
    const sources = mixed();
    const loader = new Loader({ sources, labels: sources.map(() => 0), size, batchSize: 4, threads: 2, shuffle: true, seed: 1 });
    expect(loader.length()).toBe(Math.ceil(sources.length / 4));
    expect(loader.lengthKnown()).toBe(false);
    const got = await collect(loader, 0);
    const usable = sources.length - bad.length;
    expect(got.sizes.reduce((a, b) => a + b, 0)).toBe(usable);
    expect(got.sizes.slice(0, -1).every((s) => s === 4)).toBe(true);
    expect(loader.length()).toBe(Math.ceil(usable / 4));
    expect(loader.lengthKnown()).toBe(true);
    const placed = new Set(got.indices.flat().map((i) => sources[i]));
    for (const o of odd) expect(placed.has(o), o).toBe(true);
    const order = Array.from(epochOrder(sources.length, { shuffle: true, seed: 1, epoch: 0 }));
    const expectedSkips = order.filter((i) => bad.some((b) => b.path === sources[i]));
    const skipped = loader.stats().skipped;
    expect(skipped.map((s) => s.index)).toEqual(expectedSkips);
    for (const s of skipped) {
      const b = bad.find((x) => x.path === s.source)!;
      expect(s.code).toBe(b.code);
      expect(s.reason.startsWith(`${b.code}: `)).toBe(true);
    }
    // Epoch 2 knows the failures: nothing is retried, nothing listed twice.
    const again = await collect(loader, 1);
    expect(again.sizes).toEqual(got.sizes);
    expect(loader.stats().skipped.length).toBe(bad.length);
    expect(loader.stats().decoded).toBe(sources.length);
    await loader.close();
  });

  it("'throw': the epoch rejects with a DecodeError naming the source, after the batches before it", async () => {
    const sources = mixed();
    const firstBad = sources.findIndex((s) => bad.some((b) => b.path === s));
    const loader = new Loader({ sources, labels: sources.map(() => 0), size, batchSize: 2, threads: 2, onError: 'throw' });
    for (const epoch of [0, 1]) {
      const seen: number[] = [];
      const err = await (async () => {
        for await (const b of loader.epoch(epoch)) {
          seen.push(...b.indices);
          b.release();
        }
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DecodeError);
      const de = err as DecodeError;
      expect(de.source).toBe(sources[firstBad]);
      expect(de.code).toBe(bad.find((b) => b.path === sources[firstBad])!.code);
      expect(de.message.startsWith(`${sources[firstBad]}: `)).toBe(true);
      // Only whole batches before the failure were delivered.
      expect(seen).toEqual(Array.from({ length: firstBad - (firstBad % 2) }, (_, i) => i));
    }
    expect(loader.stats().ring.held).toBe(0);
    await loader.close();
  });
});

describe('Loader byte-range sources (zip entries read in place)', () => {
  it('stored and raw-deflated ranges give the same batches as the plain bytes; bad ranges are typed failures', async () => {
    const dir = tempDir('xfer-ranges-');
    const blobs = files.slice(0, 6).map((f) => readFileSync(f));
    const parts: Buffer[] = [Buffer.from('not an image, just a header of some container')];
    let offset = parts[0]!.length;
    const ranges: ByteRange[] = [];
    blobs.forEach((blob, i) => {
      const deflated = i % 2 === 1;
      const stored = deflated ? deflateRawSync(blob) : blob;
      ranges.push({ path: join(dir, 'pack.bin'), offset, length: stored.length, deflated, size: blob.length, name: `entry-${i}.jpg` });
      parts.push(stored);
      offset += stored.length;
    });
    const pack = join(dir, 'pack.bin');
    writeFileSync(pack, Buffer.concat(parts));

    const plain = new Loader({ sources: blobs, labels: blobs.map(() => 0), size, batchSize: 4, dtype: 'uint8', threads: 2 });
    const packed = new Loader({ sources: ranges, labels: blobs.map(() => 0), size, batchSize: 4, dtype: 'uint8', threads: 2 });
    expectSame(await collect(plain, 0), await collect(packed, 0), 'ranges');
    await Promise.all([plain.close(), packed.close()]);
    expect(packed.stats().skipped).toEqual([]);

    const d = ranges[1]!;
    const broken: Source[] = [
      { ...d, length: d.length - 40, name: 'cut.jpg' }, // compressed stream ends early
      { ...d, size: d.size - 10, name: 'short.jpg' }, // inflates to more than declared
      { ...ranges[0]!, offset: offset - 10, name: 'past-eof.jpg' },
      { ...ranges[2]!, name: 'ok.jpg' },
    ];
    const loader = new Loader({ sources: broken, labels: [0, 0, 0, 0], size, batchSize: 4, threads: 1 });
    const got = await collect(loader, 0);
    expect(got.sizes).toEqual([1]);
    expect(loader.stats().skipped.map((s) => [s.source, s.code])).toEqual([
      ['cut.jpg', 'TRUNCATED'],
      ['short.jpg', 'CORRUPT'],
      ['past-eof.jpg', 'IO'],
    ]);
    await loader.close();

    // decode() takes the same ranges.
    const [viaRange, viaBytes] = await Promise.all([decode(ranges[1]!), decode(blobs[1]!)]);
    expect(Buffer.from(viaRange.data).equals(Buffer.from(viaBytes.data))).toBe(true);
  });

  it.skipIf(!hasZip())('entries of a real zip (zip -0 and deflate) located from their local headers decode like the files', async () => {
    const dir = tempDir('xfer-zip-');
    const names = ['a.jpg', 'b.jpg', 'c.jpg'];
    files.slice(0, 3).forEach((f, i) => writeFileSync(join(dir, names[i]!), readFileSync(f)));
    execFileSync('zip', ['-q', '-0', 'stored.zip', names[0]!], { cwd: dir });
    execFileSync('zip', ['-q', '-9', 'stored.zip', names[1]!, names[2]!], { cwd: dir });
    const zip = readFileSync(join(dir, 'stored.zip'));
    const ranges: ByteRange[] = [];
    for (let p = 0; zip.readUInt32LE(p) === 0x04034b50; ) {
      const method = zip.readUInt16LE(p + 8);
      const length = zip.readUInt32LE(p + 18);
      const sizeOut = zip.readUInt32LE(p + 22);
      const nameLen = zip.readUInt16LE(p + 26);
      const extra = zip.readUInt16LE(p + 28);
      const name = zip.subarray(p + 30, p + 30 + nameLen).toString();
      const start = p + 30 + nameLen + extra;
      ranges.push({ path: join(dir, 'stored.zip'), offset: start, length, size: sizeOut, deflated: method === 8, name });
      p = start + length;
    }
    expect(ranges.map((r) => [r.name, r.deflated])).toEqual([
      ['a.jpg', false],
      ['b.jpg', true],
      ['c.jpg', true],
    ]);
    const opts = { size, batchSize: 3, dtype: 'uint8' as const, threads: 2, labels: [0, 1, 2] };
    const fromZip = new Loader({ ...opts, sources: ranges });
    const fromFiles = new Loader({ ...opts, sources: names.map((n) => join(dir, n)) });
    expectSame(await collect(fromFiles, 0), await collect(fromZip, 0), 'zip');
    await Promise.all([fromZip.close(), fromFiles.close()]);
  });
});

function hasZip(): boolean {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('Loader lifecycle', () => {
  it('early break releases what the loop held; the next epoch runs in full; no slot leaks', async () => {
    const loader = new Loader(base({ prefetch: 1 }));
    let n = 0;
    for await (const b of loader.epoch(0)) {
      expect(b.size).toBe(5);
      if (++n === 2) break; // the second batch is not released by hand
      b.release();
    }
    expect(loader.stats().ring.held).toBe(0);
    const full = await collect(loader, 1);
    expect(full.sizes.reduce((a, b) => a + b, 0)).toBe(files.length);
    const s = loader.stats();
    expect(s.ring).toMatchObject({ slots: 2, held: 0, free: 2 });
    await loader.close();
  });

  it('a consumer holding every slot gets an error, not a hang', async () => {
    const loader = new Loader(base({ prefetch: 1 }));
    const held: Batch[] = [];
    await expect(
      (async () => {
        for await (const b of loader.epoch(0)) held.push(b);
      })(),
    ).rejects.toThrow(/all 2 ring slots are held by batches that were not released/);
    expect(held.length).toBe(2);
    expect(loader.stats().ring.held).toBe(0); // released when the loop ended
    await loader.close();
  });

  it('close() during prefetch, with a batch outstanding and with a next() pending; idempotent', async () => {
    const loader = new Loader(base({ cache: 'none', prefetch: 3 }));
    const it0 = loader.epoch(0)[Symbol.asyncIterator]();
    const first = await it0.next();
    expect(first.done).toBe(false);
    const batch = first.value as Batch;
    const total = (a: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i]!;
      return s;
    };
    const sum = total(batch.data);
    const pending = it0.next(); // may or may not be ready
    const closing = loader.close();
    expect(loader.close()).toBe(closing);
    await closing;
    const after = await pending;
    if (!after.done) (after.value as Batch).release();
    expect((await it0.next()).done).toBe(true);
    // The batch's memory stays valid after close.
    expect(total(batch.data)).toBe(sum);
    batch.release();
    expect(() => loader.epoch(1)).toThrow(/closed/);
  });

  it('close() right after construction and before any epoch', async () => {
    const loader = new Loader(base());
    await loader.close();
    const other = new Loader(base({ cache: 'none' }));
    const it0 = other.epoch(0)[Symbol.asyncIterator]();
    const p = it0.next();
    await other.close();
    const r = await p;
    if (!r.done) (r.value as Batch).release();
  });

  it('starting a new epoch abandons the old one, whose iterator then throws', async () => {
    const loader = new Loader(base());
    const old = loader.epoch(0)[Symbol.asyncIterator]();
    const b = await old.next();
    expect(b.done).toBe(false);
    const fresh = await collect(loader, 1);
    expect(fresh.sizes.reduce((a, x) => a + x, 0)).toBe(files.length);
    await expect(old.next()).rejects.toThrow(/abandoned/);
    expect(loader.stats().ring.held).toBe(0);
    await loader.close();
  });

  it('8 loaders at once, each with its own threads, give the same batches as one alone', async () => {
    const reference = new Loader(base());
    const ref = [await collect(reference, 0), await collect(reference, 1)];
    await reference.close();
    const loaders = Array.from({ length: 8 }, (_, i) => new Loader(base({ threads: 1 + (i % 2), prefetch: i % 3, cache: i % 2 ? 'none' : 'memory' })));
    const results = await Promise.all(loaders.map(async (l) => [await collect(l, 0), await collect(l, 1)]));
    await Promise.all(loaders.map((l) => l.close()));
    results.forEach((r, i) => r.forEach((e, k) => expectSame(ref[k]!, e, `loader ${i} epoch ${k}`)));
  });

  it('the process exits cleanly: an idle loader does not hold it, and exiting mid-epoch does not crash', () => {
    const script = (mode: 'idle' | 'mid-epoch' | 'exit') => `
      const { createRequire } = require('node:module');
      const addon = createRequire(${JSON.stringify(addonPath())})(${JSON.stringify(addonPath())});
      const sources = ${JSON.stringify(files)};
      const loader = new addon.NativeLoader({ sources, labels: new Int32Array(sources.length), width: 150, height: 150,
        exact: true, maxPixels: 1e8, batchSize: 4, dropRemainder: false, shuffle: false, seed: 0,
        flipHorizontal: true, flipVertical: false, rotation: 0.1, fill: 0, fillValue: 0, interpolation: 0,
        scale: 1, offset: 0, float32: true, cache: 0, prefetch: 4, threads: 2, throwOnError: false });
      if (${JSON.stringify(mode)} !== 'idle') {
        const g = loader.startEpoch(0);
        loader.next(g).then((r) => {
          if (r.kind !== 'batch') throw new Error('expected a batch, got ' + r.kind);
          if (${JSON.stringify(mode)} === 'exit') process.exit(0);
          // mid-epoch: nothing else keeps the loop alive; workers are busy prefetching
        });
      }
    `;
    for (const mode of ['idle', 'mid-epoch', 'exit'] as const) {
      const t0 = Date.now();
      execFileSync(process.execPath, ['-e', script(mode)], { stdio: 'pipe', timeout: 20_000 });
      expect(Date.now() - t0, mode).toBeLessThan(20_000);
    }
  });
});

describe('Loader options and benchDecodeOnly', () => {
  it('rejects bad options with what is valid', () => {
    const ok = base();
    const cases: Array<[Partial<Record<keyof LoaderOptions, unknown>>, RegExp]> = [
      [{ labels: [1] }, /labels has 1 entries for 26 sources/],
      [{ labels: files.map(() => 0.5) }, /labels\[0\] must be an integer/],
      [{ batchSize: 0 }, /batchSize must be an integer from 1/],
      [{ augment: { flip: 'sideways' } }, /flip must be 'none', 'horizontal', 'vertical', 'both'/],
      [{ augment: { rotation: -0.1 } }, /rotation is a factor of 2π/],
      [{ cache: 'disk' }, /cache must be 'memory', 'none' or \{ path: string \}/],
      [{ dtype: 'int8' }, /dtype must be 'float32', 'uint8'/],
      [{ onError: 'ignore' }, /onError must be 'skip', 'throw'/],
      [{ seed: -1 }, /seed must be an integer from 0/],
      [{ prefetch: 2.5 }, /prefetch must be an integer/],
      [{ sources: [files[0], 42], labels: [0, 0] }, /sources\[1\] must be a file path string/],
      [{ sources: [{ path: 'x', offset: 0, length: 5, size: 6, deflated: false }], labels: [0] }, /stored \(not deflated\) range must have size === length/],
    ];
    for (const [extra, message] of cases) expect(() => new Loader({ ...ok, ...extra } as LoaderOptions)).toThrow(message);
    const l = new Loader(ok);
    expect(() => l.epoch(-1)).toThrow(/epoch must be an integer/);
    void l.close();
  });

  it('benchDecodeOnly decodes everything at the loader DCT scale and reports the time', async () => {
    const buffers = files.slice(0, 10).map((f) => readFileSync(f));
    const r = await benchDecodeOnly([...buffers, new Uint8Array(3)], { size: [150, 150], threads: 2 });
    expect(r.images).toBe(10);
    expect(r.failures).toBe(1);
    expect(r.ms).toBeGreaterThan(0);
    const full = await benchDecodeOnly(buffers, { size: [150, 150], mode: 'exact', threads: 1 });
    expect(full.decodedPixels).toBeGreaterThan(r.decodedPixels);
  });
});

// The suite reads the corpus from disk; make sure a missing corpus is loud.
it('has its fixtures', () => {
  expect(files.length).toBe(26);
  expect(files.every((f) => existsSync(f))).toBe(true);
});
