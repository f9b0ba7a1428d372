import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { batchNormTrainingInOneKernel } from '../../src/models/batch_norm_training.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { transferModel } from '../../src/models/transfer_model.js';

const SIZE = 32;
const widths = { entry: [4, 8] as [number, number], blocks: [8], exit: [8, 8] as [number, number] };
const KERNEL = 'XferBatchNormTraining';

/**
 * One training step's gradients of a from-scratch transfer model (batch statistics), then every
 * weight (the moving statistics updated by the step's forward among them). Gradients rather than
 * weights after several Adam steps: Adam turns the rounding noise of near-zero gradients into
 * whole steps, which says nothing about the gradient.
 */
function step(useKernel: boolean): { grads: Float32Array[]; weights: Float32Array[] } {
  const kernel = tf.getKernel(KERNEL, 'cpu')!;
  if (!useKernel) tf.unregisterKernel(KERNEL, 'cpu');
  try {
    const base = miniXception({ inputShape: [SIZE, SIZE, 3], widths, bnMomentum: 0.9, seed: 7 });
    // No dropout: its mask is drawn afresh on each call.
    const model = transferModel(base, { baseBatchNorm: 'batch', seed: 8, dropout: 0 });
    const x = tf.randomUniform([8, SIZE, SIZE, 3], 0, 255, 'float32', 10);
    const y = tf.cast(tf.greater(tf.randomUniform([8, 1], 0, 1, 'float32', 20), 0.5), 'float32');
    const { value, grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor));
    const read = (ts: tf.Tensor[]) => ts.map((t) => (t.dataSync() as Float32Array).slice());
    const out = { grads: read(Object.values(grads)), weights: read(model.getWeights()) };
    tf.dispose([x, y, value, ...Object.values(grads)]);
    model.dispose();
    return out;
  } finally {
    if (!useKernel) tf.registerKernel(kernel);
  }
}

/** max |a − b| over max |b|, for each array. */
const errors = (a: Float32Array[], b: Float32Array[]) =>
  a.map((w, i) => Math.max(...w.map((v, j) => Math.abs(v - b[i]![j]!))) / Math.max(...b[i]!.map(Math.abs), 1e-12));

describe('BatchNorm with batch statistics in one kernel', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
  });

  it('gives the gradients and moving statistics tfjs-layers gives, running the kernel once per layer', () => {
    expect(tf.getKernel(KERNEL, 'cpu'), 'pickBackend registers @xfer/native-kernels, whose kernel this checks').toBeDefined();
    const runKernel = vi.spyOn(tf.engine(), 'runKernel');
    const fused = step(true);
    const calls = runKernel.mock.calls.filter(([name]) => name === KERNEL).length;
    runKernel.mockRestore();
    const layers = miniXception({ inputShape: [SIZE, SIZE, 3], widths }).layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
    expect(calls).toBe(layers);
    const stock = step(false);
    expect(fused.grads).toHaveLength(stock.grads.length);
    errors(fused.grads, stock.grads).forEach((e, i) => expect(e, `gradient ${i}`).toBeLessThan(1e-4));
    errors(fused.weights, stock.weights).forEach((e, i) => expect(e, `weight ${i}`).toBeLessThan(1e-5));
  });

  it('leaves inference-mode calls and layers it does not cover to tfjs-layers', () => {
    const model = miniXception({ inputShape: [SIZE, SIZE, 3], widths, seed: 3 }) as tfl.LayersModel;
    batchNormTrainingInOneKernel(model);
    const runKernel = vi.spyOn(tf.engine(), 'runKernel');
    tf.tidy(() => model.apply(tf.zeros([2, SIZE, SIZE, 3]), { training: false }));
    expect(runKernel.mock.calls.filter(([name]) => name === KERNEL)).toHaveLength(0);
    runKernel.mockRestore();
    model.dispose();
  });
});
