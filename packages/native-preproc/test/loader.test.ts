import { existsSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
  Loader,
  augment,
  augmentParams,
  benchDecodeOnly,
  decodeResizeBatch,
  epochOrder,
  type LoaderOptions,
} from '../src/index.js';
import { augmentOptions, base, bytes, collect, expectSame, files, labels, normalize, size, type Collected } from './loader_helpers.js';

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
