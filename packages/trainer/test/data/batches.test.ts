import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { batches } from '../../src/data/batches.js';
import type { DecodedSplit } from '../../src/data/decoded_split.js';
import { Rng } from '../../src/data/rng.js';

function split(count: number, w = 5, h = 3): DecodedSplit {
  const per = w * h * 3;
  const pixels = new Uint8Array(count * per);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + Math.floor(i / per) * 13) % 251;
  const labels = Int32Array.from({ length: count }, (_, i) => i % 2);
  return { pixels, labels, sources: [], size: [w, h], failures: [], count };
}

describe('batches', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
  });

  it('covers every image once per epoch, in order without a shuffle seed, with a short last batch', () => {
    const s = split(10);
    const got = [...batches(s, { batchSize: 4 })];
    expect(got.map((b) => b.size)).toEqual([4, 4, 2]);
    const all = tf.concat(got.map((b) => b.x)).dataSync();
    expect(Array.from(all)).toEqual(Array.from(s.pixels));
    expect(Array.from(tf.concat(got.map((b) => b.y)).dataSync())).toEqual(Array.from(s.labels));
  });

  it('shuffles as a permutation fixed by the seed, keeping labels with their images', () => {
    const s = split(9);
    const per = 5 * 3 * 3;
    const run = (seed: number) => [...batches(s, { batchSize: 4, shuffleSeed: seed })];
    const a = run(3);
    const b = run(3);
    const c = run(4);
    const firstPixels = (bs: typeof a) => bs.flatMap((x) => Array.from(x.x.dataSync()).filter((_, i) => i % per === 0));
    expect(firstPixels(a)).toEqual(firstPixels(b));
    expect(firstPixels(a)).not.toEqual(firstPixels(c));
    const order = new Rng(3).permutation(9);
    const xs = tf.concat(a.map((x) => x.x)).dataSync();
    const ys = tf.concat(a.map((x) => x.y)).dataSync();
    order.forEach((src, k) => {
      expect(Array.from(xs.subarray(k * per, (k + 1) * per))).toEqual(Array.from(s.pixels.subarray(src * per, (src + 1) * per)));
      expect(ys[k]).toBe(s.labels[src]);
    });
  });

  it('flips exactly as tf.image.flipLeftRight for the images it flips, about half of them', () => {
    const s = split(400, 6, 4);
    const plain = tf.concat([...batches(s, { batchSize: 50 })].map((b) => b.x));
    const flipped = tf.concat([...batches(s, { batchSize: 50, flipSeed: 11 })].map((b) => b.x));
    const reference = tf.image.flipLeftRight(plain as tf.Tensor4D);
    let flips = 0;
    for (let i = 0; i < 400; i++) {
      const got = tf.slice(flipped, [i, 0, 0, 0], [1, 4, 6, 3]);
      const same = tf.slice(plain, [i, 0, 0, 0], [1, 4, 6, 3]);
      const mirror = tf.slice(reference, [i, 0, 0, 0], [1, 4, 6, 3]);
      const isMirror = tf.max(tf.abs(tf.sub(got, mirror))).dataSync()[0] === 0;
      const isSame = tf.max(tf.abs(tf.sub(got, same))).dataSync()[0] === 0;
      expect(isMirror || isSame).toBe(true);
      if (isMirror && !isSame) flips++;
    }
    expect(flips).toBeGreaterThan(160);
    expect(flips).toBeLessThan(240);
  });
});
