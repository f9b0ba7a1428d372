import { execFileSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { Loader, type Batch } from '../src/index.js';
import { addonPath } from '../src/binding.js';
import { base, collect, expectSame, files } from './loader_helpers.js';

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
      const loader = new addon.NativeLoader(sources, new Int32Array(sources.length), { width: 150, height: 150,
        mode: 'exact', maxPixels: 1e8, batchSize: 4, dropRemainder: false, shuffle: false, seed: 0,
        flip: 'horizontal', rotation: 0.1, fill: 'reflect', fillValue: 0, interpolation: 'bilinear',
        scale: 1, offset: 0, dtype: 'float32', cache: 'none', prefetch: 4, threads: 2, onError: 'skip', device: 'cpu' });
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
