import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { decodeResizeBatch, type ResizeBatchOptions } from '../src/index.js';
import { bmp2x2 } from './fixtures.js';
import { corpus, corpusPath, corpusSample } from './helpers.js';

function bytesOf(a: Uint8Array | Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe('decodeResizeBatch()', () => {
  it('a batch mixing good and bad sources: good slots equal single-image runs, bad ones are zero and reported', async () => {
    const good = corpusSample(4, 600 * 600).map(corpusPath);
    const missing = join(tmpdir(), 'xfer-no-such-dir', 'missing.jpg');
    const goodBytes = new Uint8Array(readFileSync(good[1]!));
    const sources: Array<string | Uint8Array> = [
      good[0]!,
      new Uint8Array(0),
      goodBytes,
      missing,
      good[2]!,
      bmp2x2(),
      goodBytes.subarray(0, goodBytes.length >> 1),
      good[3]!,
    ];
    for (const options of [
      { size: [96, 64], mode: 'fast' },
      { size: [96, 64], mode: 'exact', dtype: 'float32' },
    ] satisfies ResizeBatchOptions[]) {
      const batch = await decodeResizeBatch(sources, options);
      expect(batch.count).toBe(sources.length);
      expect([batch.width, batch.height]).toEqual([96, 64]);
      expect(batch.data.length).toBe(sources.length * 64 * 96 * 3);
      expect(Array.from(batch.ok)).toEqual([1, 0, 1, 0, 1, 0, 0, 1]);
      expect(batch.failures.map((f) => [f.index, f.code, f.source])).toEqual([
        [1, 'EMPTY', '<buffer #1>'],
        [3, 'IO', missing],
        [5, 'UNSUPPORTED_FORMAT', '<buffer #5>'],
        [6, 'TRUNCATED', '<buffer #6>'],
      ]);
      for (const f of batch.failures) expect(f.reason.startsWith(`${f.code}: `) && !f.reason.includes(f.source)).toBe(true);

      const slot = 64 * 96 * 3;
      for (let i = 0; i < sources.length; i++) {
        const got = batch.data.subarray(i * slot, (i + 1) * slot);
        if (batch.ok[i]) {
          const single = await decodeResizeBatch([sources[i]!], options);
          expect(bytesOf(got).equals(bytesOf(single.data)), `slot ${i}`).toBe(true);
        } else {
          expect(got.every((v) => v === 0), `slot ${i} zeroed`).toBe(true);
        }
      }
    }
  });

  it('is deterministic: threads 1, 2 and 3 give bitwise-identical data', async () => {
    const files = corpus()
      .filter((_, i) => i % 40 === 0)
      .map(corpusPath);
    for (const dtype of ['uint8', 'float32'] as const) {
      const runs = await Promise.all(
        [1, 2, 3].map((threads) => decodeResizeBatch(files, { size: [150, 150], dtype, threads })),
      );
      for (const r of runs.slice(1)) {
        expect(bytesOf(r.data).equals(bytesOf(runs[0]!.data))).toBe(true);
        expect(Array.from(r.ok)).toEqual(Array.from(runs[0]!.ok));
      }
    }
  });

  it('returns float32 values in 0..255 and uint8 values rounded from them', async () => {
    const file = corpusPath(corpusSample(1, 400 * 400)[0]!);
    const [f, u] = await Promise.all([
      decodeResizeBatch([file], { size: [33, 17], dtype: 'float32' }),
      decodeResizeBatch([file], { size: [33, 17] }),
    ]);
    expect(f.data).toBeInstanceOf(Float32Array);
    expect(u.data).toBeInstanceOf(Uint8Array);
    for (let i = 0; i < f.data.length; i++) {
      expect(f.data[i]).toBeGreaterThanOrEqual(0);
      expect(f.data[i]).toBeLessThanOrEqual(255);
      expect(u.data[i]).toBe(Math.round(f.data[i]!));
    }
  });

  it('handles an empty batch', async () => {
    const r = await decodeResizeBatch([], { size: [10, 10] });
    expect([r.count, r.data.length, r.ok.length, r.failures.length, r.warnings]).toEqual([0, 0, 0, 0, 0]);
  });

  it('runs concurrent batches correctly', async () => {
    const files = corpus()
      .filter((_, i) => i % 50 === 0)
      .map(corpusPath);
    const reference = await decodeResizeBatch(files, { size: [64, 64], mode: 'exact' });
    const results = await Promise.all(
      [1, 2, 3].map(() => decodeResizeBatch(files, { size: [64, 64], mode: 'exact', threads: 2 })),
    );
    for (const r of results) expect(bytesOf(r.data).equals(bytesOf(reference.data))).toBe(true);
  });

  it('does the work off the JS thread: the call returns long before the batch is done', async () => {
    const files = corpus()
      .filter((_, i) => i % 20 === 0)
      .map(corpusPath);
    const t0 = performance.now();
    const pending = decodeResizeBatch(files, { size: [150, 150], mode: 'exact', threads: 1 });
    const syncMs = performance.now() - t0;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const result = await pending;
    clearInterval(timer);
    const totalMs = performance.now() - t0;
    expect(result.failures).toEqual([]);
    expect(syncMs).toBeLessThan(totalMs / 4);
    expect(ticks).toBeGreaterThan(0);
  });
});
