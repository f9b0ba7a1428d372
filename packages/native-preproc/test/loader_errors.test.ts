import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DecodeError, Loader, decode, epochOrder, type ByteRange, type Source } from '../src/index.js';
import { withJpegDims } from './fixtures.js';
import { rng, tempDir } from './helpers.js';
import { collect, expectSame, files, size } from './loader_helpers.js';

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
