import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { xception } from '../../src/models/xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { relativeError } from '../helpers.js';
import { randomiseBatchNorms } from './batch_norm_stats.js';

/** The fused path runs where this kernel (the native kernels' folded gradient) is registered. */
const MARKER = 'XferConv2DBackpropFolded';
const SIZE = 71;

/**
 * One fine-tune step of the recipe's model on Xception (base trainable, batch norms in inference
 * mode): logits, then the gradient of every trainable weight; and the kernels it ran.
 */
function step(fused: boolean): { out: Float32Array[]; kernels: string[] } {
  const marker = tf.getKernel(MARKER, 'cpu')!;
  if (!fused) tf.unregisterKernel(MARKER, 'cpu');
  const runKernel = vi.spyOn(tf.engine(), 'runKernel');
  try {
    const base = xception({ inputShape: [SIZE, SIZE, 3], seed: 11 });
    randomiseBatchNorms(base, 25);
    const model = transferModel(base, { seed: 12, dropout: 0 });
    base.trainable = true;
    const x = tf.randomUniform([4, SIZE, SIZE, 3], 0, 255, 'float32', 13);
    const y = tf.tensor2d([[1], [0], [0], [1]]);
    const logits = tf.tidy(() => model.apply(x, { training: true }) as tf.Tensor);
    const { value, grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor));
    const out = [logits, ...model.trainableWeights.map((w) => grads[w.read().name]!)].map((t) => (t.dataSync() as Float32Array).slice());
    tf.dispose([x, y, logits, value, ...Object.values(grads)]);
    model.dispose();
    return { out, kernels: runKernel.mock.calls.map(([name]) => name) };
  } finally {
    runKernel.mockRestore();
    if (!fused) tf.registerKernel(marker);
  }
}

describe('conv + inference-mode batch norm as one folded convolution', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
    expect(tf.getKernel(MARKER, 'cpu'), 'pickBackend registers @xfer/native-kernels').toBeDefined();
  });

  it('gives the logits and every gradient (kernels, gammas, betas, the head) of the unfused layers', () => {
    const fused = step(true);
    const layers = step(false);
    expect(fused.out).toHaveLength(layers.out.length);
    expect(relativeError(fused.out[0]!, layers.out[0]!), 'logits').toBeLessThan(1e-4);
    fused.out.slice(1).forEach((g, i) => expect(relativeError(g, layers.out[i + 1]!), `gradient ${i}`).toBeLessThan(1e-3));
    // Every batch norm folded: no batch-norm pass forward or backward, and each folded
    // convolution's gradients in one native call (Xception: 2 stem convolutions, 4 residual
    // 1x1s and 34 separable convolutions' pointwise parts).
    expect(fused.kernels.filter((k) => k === 'FusedBatchNorm')).toEqual([]);
    expect(fused.kernels.filter((k) => k === MARKER)).toHaveLength(40);
    expect(layers.kernels.filter((k) => k === 'FusedBatchNorm').length).toBeGreaterThan(0);
  });
});
