import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { setPrecision } from '../../src/backend/precision.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { relativeError } from '../helpers.js';

const SIZE = 48;

/** Logits and gradients of one step of a small transfer model (no dropout, BN in inference mode). */
function step(): Float32Array[] {
  const base = miniXception({ inputShape: [SIZE, SIZE, 3], widths: { entry: [16, 32], blocks: [64], exit: [96, 128] }, seed: 3 });
  base.trainable = true;
  const model = transferModel(base, { seed: 4, dropout: 0 });
  const x = tf.randomUniform([8, SIZE, SIZE, 3], 0, 255, 'float32', 5);
  const y = tf.cast(tf.greater(tf.randomUniform([8, 1], 0, 1, 'float32', 6), 0.5), 'float32');
  const logits = tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
  const { value, grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor));
  const out = [logits, ...Object.values(grads)].map((t) => (t.dataSync() as Float32Array).slice());
  tf.dispose([x, y, logits, value, ...Object.values(grads)]);
  model.dispose();
  return out;
}

describe('--precision mixed_bfloat16', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
  });
  afterAll(() => setPrecision('float32'));

  // bf16 keeps 8 significant bits. The logits come within 1% of float32's (measured 0.3%); the
  // gradients, whose error compounds down the backward chain, within 10% of each tensor's largest
  // value (measured 0.7-7.7%).
  it('computes logits within 1% and gradients within 10% of float32, and not bit for bit', async () => {
    await setPrecision('float32');
    const reference = step();
    await setPrecision('mixed_bfloat16');
    const mixed = step();
    const errors = mixed.map((m, i) => relativeError(m, reference[i]!));
    expect(errors[0], 'logits').toBeLessThan(1e-2);
    for (const [i, e] of errors.slice(1).entries()) expect(e, `gradient ${i}`).toBeLessThan(1e-1);
    expect(Math.max(...errors)).toBeGreaterThan(1e-4);
    await setPrecision('float32');
    expect(step().map((r, i) => relativeError(r, reference[i]!))).toEqual(reference.map(() => 0));
  });

  it('refuses another backend, saying which runs it', async () => {
    await pickBackend('wasm');
    await expect(setPrecision('mixed_bfloat16')).rejects.toThrow("--precision mixed_bfloat16 runs on the cpu backend with @xfer/native-kernels; this run's backend is wasm");
    await setPrecision('float32');
  });
});
