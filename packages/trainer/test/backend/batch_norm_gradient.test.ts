import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from '../../src/backend/pick_backend.js';

// The reference differentiates the same formula written with elementary ops, whose gradients don't
// involve FusedBatchNorm's.
describe('FusedBatchNorm gradient', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`matches the elementary-op formula on ${backend}, for every input`, async () => {
      await pickBackend(backend);
      const x = tf.randomNormal([3, 5, 4, 6], 0, 2, 'float32', 1);
      const mean = tf.randomNormal([6], 0, 1, 'float32', 2);
      const variance = tf.add(tf.randomUniform([6], 0, 2, 'float32', 3), 0.1);
      const scale = tf.randomNormal([6], 1, 0.5, 'float32', 4);
      const offset = tf.randomNormal([6], 0, 1, 'float32', 5);
      const dy = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 6);
      const eps = 1e-3;
      const fused = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
        tf.sum(tf.mul(tf.batchNorm(a, m, v, o, s, eps), dy));
      const plain = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
        tf.sum(tf.mul(tf.add(tf.mul(tf.mul(tf.sub(a, m), tf.rsqrt(tf.add(v, eps))), s), o), dy));
      const got = tf.grads(fused)([x, mean, variance, scale, offset]);
      const want = tf.grads(plain)([x, mean, variance, scale, offset]);
      got.forEach((g, i) => {
        const w = want[i]!;
        expect(g.shape).toEqual(w.shape);
        const err = tf.max(tf.abs(tf.sub(g, w))).dataSync()[0]!;
        const scaleOf = tf.max(tf.abs(w)).dataSync()[0]!;
        expect(err / scaleOf).toBeLessThan(1e-5);
      });
    });
  }
});
