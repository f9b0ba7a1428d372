import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { Loader, type LoaderOptions } from '../src/index.js';
import { tempDir } from './helpers.js';
import { base, collect, expectSame, files, size } from './loader_helpers.js';

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
