import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from '../../src/backend/pick_backend.js';
import type { DecodedSplit } from '../../src/data/decoded_split.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { fitFrozenOnFeatures } from '../../src/train/feature_cache.js';
import { fit } from '../../src/train/fit.js';

// Reddish images are class 1, bluish class 0: pooled features of a frozen random base separate them.
function tints(count: number, seed: number, size = 32): DecodedSplit {
  const per = size * size * 3;
  const pixels = new Uint8Array(count * per);
  const labels = new Int32Array(count);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 2;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const o = i * per + (y * size + x) * 3;
        const warm = labels[i] === 1;
        pixels[o] = (warm ? 150 : 60) + Math.floor(rnd() * 80);
        pixels[o + 1] = 60 + Math.floor(rnd() * 80);
        pixels[o + 2] = (warm ? 60 : 150) + Math.floor(rnd() * 80);
      }
    }
  }
  return { pixels, labels, sources: [], size: [size, size], failures: [], count };
}

const widths = { entry: [4, 8] as [number, number], blocks: [8], exit: [8, 16] as [number, number] };

describe('the frozen phase on cached features', () => {
  beforeAll(async () => {
    await pickBackend('wasm');
  });

  it('follows the plain loop step for step (same shuffles, no dropout), trains only the head, and leaves the base untouched', async () => {
    const train = tints(48, 1);
    const val = tints(16, 2);
    const make = () => {
      const base = miniXception({ inputShape: [32, 32, 3], widths });
      const model = transferModel(base, { dropout: 0 });
      base.trainable = false;
      return { base, model };
    };
    const plain = make();
    const cached = make();
    cached.model.setWeights(plain.model.getWeights().map((w) => tf.tensor((w.dataSync() as Float32Array).slice(), w.shape)));
    const baseBefore = cached.base.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
    const o = { phase: 'frozen', epochs: 5, batchSize: 16, learningRate: 5e-2, seed: 3, flip: false };
    const a = await fit(plain.model, train, val, o);
    const b = await fitFrozenOnFeatures(cached.model, cached.base, train, val, { ...o, views: 1 });
    b.forEach((h, i) => {
      expect(h.loss).toBeCloseTo(a[i]!.loss, 5);
      expect(h.valLoss).toBeCloseTo(a[i]!.valLoss, 5);
      expect(h.valAccuracy).toBe(a[i]!.valAccuracy);
    });
    expect(b.at(-1)!.loss).toBeLessThan(b[0]!.loss);
    cached.base.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(baseBefore[i]!)));
  }, 120_000);

  it('draws epoch e from view e mod K and leaks no tensors', async () => {
    const base = miniXception({ inputShape: [32, 32, 3], widths });
    const model = transferModel(base);
    base.trainable = false;
    const before = tf.memory().numTensors;
    const history = await fitFrozenOnFeatures(model, base, tints(32, 4), tints(16, 5), {
      phase: 'frozen', epochs: 3, batchSize: 8, learningRate: 1e-2, seed: 1, flip: true, views: 2,
    });
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
