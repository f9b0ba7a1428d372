import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { fit } from '../../src/train/fit.js';
import { loaderOf, syntheticSplit } from '../train/synthetic_split.js';

const SIZE = 32;
const widths = { entry: [4, 8] as [number, number], blocks: [8], exit: [8, 8] as [number, number] };

async function data(count: number, seed: number) {
  const split = await syntheticSplit(count, seed, SIZE, (_, rnd) => [Math.floor(rnd() * 256), Math.floor(rnd() * 256), Math.floor(rnd() * 256)]);
  return loaderOf(split, { batchSize: 8 });
}

/**
 * A base with "pretrained" BatchNorm statistics unlike the batch statistics. The negative means keep
 * the ReLUs after each BN alive, so gradients reach every gamma and beta.
 */
function pretrainedBase(): tfl.LayersModel {
  const base = miniXception({ inputShape: [SIZE, SIZE, 3], widths, bnMomentum: 0.99 });
  for (const layer of base.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const [gamma, beta, mean, variance] = layer.getWeights();
    // getWeights() hands out the variables themselves: assigning one to itself would free its data.
    layer.setWeights([gamma!.clone(), beta!.clone(), tf.fill(mean!.shape, -0.3), tf.fill(variance!.shape, 2)]);
  }
  return base;
}

function bnWeights(base: tfl.LayersModel, index: number): Float32Array[] {
  return base.layers.filter((l) => l.getClassName() === 'BatchNormalization').flatMap((l) => [(l.getWeights()[index]!.dataSync() as Float32Array).slice()]);
}

const changed = (a: Float32Array[], b: Float32Array[]) => a.some((x, i) => x.some((v, j) => v !== b[i]![j]));

describe("the base's BatchNorm runs in inference mode in both phases", () => {
  beforeAll(async () => {
    await pickBackend('wasm');
  });

  const run = async (base: tfl.LayersModel, mode: 'inference' | 'batch', baseTrainable: boolean) => {
    const model = transferModel(base, { baseBatchNorm: mode });
    base.trainable = baseTrainable;
    await fit(model, await data(16, 1), await data(8, 2), { phase: 'p', epochs: 1, learningRate: 1e-2, seed: 1 });
  };

  it('frozen phase: moving mean and variance never change', async () => {
    const base = pretrainedBase();
    const before = [...bnWeights(base, 2), ...bnWeights(base, 3)];
    await run(base, 'inference', false);
    expect(changed(before, [...bnWeights(base, 2), ...bnWeights(base, 3)])).toBe(false);
  });

  it('fine-tune phase: gamma and beta change, moving statistics still do not', async () => {
    const base = pretrainedBase();
    const stats = [...bnWeights(base, 2), ...bnWeights(base, 3)];
    const affine = [...bnWeights(base, 0), ...bnWeights(base, 1)];
    await run(base, 'inference', true);
    expect(changed(stats, [...bnWeights(base, 2), ...bnWeights(base, 3)])).toBe(false);
    expect(changed(affine, [...bnWeights(base, 0), ...bnWeights(base, 1)])).toBe(true);
  });

  it('a literal tfjs port (training=true reaching the nested base) overwrites the statistics, even frozen', async () => {
    const base = pretrainedBase();
    const before = [...bnWeights(base, 2), ...bnWeights(base, 3)];
    await run(base, 'batch', false);
    expect(changed(before, [...bnWeights(base, 2), ...bnWeights(base, 3)])).toBe(true);
  });

  it('inference mode gives the same output in training and inference calls (no dropout in the base)', () => {
    const base = pretrainedBase();
    transferModel(base);
    const x = tf.randomUniform([2, SIZE, SIZE, 3], -1, 1);
    const a = (base.apply(x, { training: true }) as tf.Tensor).dataSync();
    const b = (base.apply(x, { training: false }) as tf.Tensor).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
