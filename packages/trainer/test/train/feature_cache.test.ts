import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from '../../src/backend/pick_backend.js';
import type { DecodedSplit } from '../../src/data/decoded_split.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { fitFrozenOnFeatures } from '../../src/train/feature_cache.js';
import { fit } from '../../src/train/fit.js';
import { syntheticSplit } from './synthetic_split.js';

// Reddish images are class 1, bluish class 0: pooled features of a frozen random base separate them.
function tints(count: number, seed: number, size = 32): DecodedSplit {
  return syntheticSplit(count, seed, size, (label, rnd) => {
    const warm = label === 1;
    return [(warm ? 150 : 60) + Math.floor(rnd() * 80), 60 + Math.floor(rnd() * 80), (warm ? 60 : 150) + Math.floor(rnd() * 80)];
  });
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
