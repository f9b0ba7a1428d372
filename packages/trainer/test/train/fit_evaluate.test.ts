import { promises as fs } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { evaluate } from '../../src/train/evaluate.js';
import { fit } from '../../src/train/fit.js';
import { loadModel, saveModel } from '../../src/weights/file_io.js';
import { tempDir } from '../helpers.js';
import { loaderOf, syntheticSplit, type SyntheticSplit } from './synthetic_split.js';

// Bright images are class 1, dark ones class 0: a task any convnet learns in a few steps.
function brightness(count: number, seed: number, size = 32): Promise<SyntheticSplit> {
  const base = (label: number) => (label ? 170 : 40);
  return syntheticSplit(count, seed, size, (label, rnd) => [
    base(label) + Math.floor(rnd() * 60), base(label) + Math.floor(rnd() * 60), base(label) + Math.floor(rnd() * 60),
  ]);
}

describe('fit and evaluate', () => {
  beforeAll(async () => {
    await pickBackend('wasm');
  });

  it('learns a separable task, logs every epoch, and leaks no tensors', async () => {
    // Seeded, so the test is deterministic; seeds 1 to 6 all pass. Unseeded, 2 of 4 runs here
    // ended predicting a single class after 3 epochs.
    const model = transferModel(miniXception({ inputShape: [32, 32, 3], widths: { entry: [4, 8], blocks: [8], exit: [8, 8] }, seed: 1 }), { seed: 100 });
    const train = loaderOf(await brightness(64, 1), { batchSize: 16, shuffle: true, seed: 1, augment: { flip: 'horizontal' } });
    const val = loaderOf(await brightness(32, 2), { batchSize: 16 });
    const epochs: number[] = [];
    const tensors: number[] = [];
    const history = await fit(model, train, val, {
      phase: 'train', epochs: 3, learningRate: 1e-2, seed: 1,
      callbacks: [{ onEpochEnd: (l) => { epochs.push(l.epoch); tensors.push(tf.memory().numTensors); } }],
    });
    expect(epochs).toEqual([1, 2, 3]);
    expect(history[2]!.valAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(tensors[1]).toBe(tensors[0]);
    expect(tensors[2]).toBe(tensors[0]);
  });

  it('counts the confusion matrix and loss as an independent computation does', async () => {
    const model = transferModel(miniXception({ inputShape: [32, 32, 3], widths: { entry: [4, 8], blocks: [8], exit: [8, 8] } }));
    const split = await brightness(20, 3);
    const ev = await evaluate(model, loaderOf(split, { batchSize: 7 }));
    const x = tf.tensor4d(Float32Array.from(split.pixels), [20, 32, 32, 3]);
    const logits = Array.from((model.predict(x) as tf.Tensor).dataSync());
    const want: number[][] = [[0, 0], [0, 0]];
    let loss = 0;
    logits.forEach((z, i) => {
      const y = split.labels[i]!;
      want[y]![z > 0 ? 1 : 0]!++;
      loss += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
    });
    expect(ev.confusion).toEqual(want);
    expect(ev.accuracy).toBeCloseTo((want[0]![0]! + want[1]![1]!) / 20, 10);
    expect(ev.loss).toBeCloseTo(loss / 20, 4);
    expect(ev.count).toBe(20);
  });

  it('saves and loads a model that predicts the same', async () => {
    const model = transferModel(miniXception({ inputShape: [32, 32, 3], widths: { entry: [4, 8], blocks: [8], exit: [8, 8] } }));
    const dir = tempDir('xfer-save-');
    await saveModel(model, dir);
    expect((await fs.readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await loadModel(dir);
    const x = tf.randomUniform([3, 32, 32, 3], 0, 255);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(loaded).toBeInstanceOf(tfl.LayersModel);
  });
});
