import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerNativeKernels, unregisterNativeKernels } from '../src/register.js';
import { randn, relativeError, TOLERANCE } from './helpers.js';

const EPSILON = 1e-3;

/** Runs `fn` on tfjs's own kernels and gradients, the reference. */
function stock<T>(fn: () => T): T {
  unregisterNativeKernels();
  try {
    return fn();
  } finally {
    registerNativeKernels();
  }
}

/** y, mean and variance as tfjs-layers' BatchNormalization computes them in training mode. */
function composed(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor): tf.Tensor[] {
  const { mean, variance } = tf.moments(x, [...Array(x.rank - 1).keys()]);
  return [tf.batchNorm(x, mean, variance, offset, scale, EPSILON), mean, variance];
}

function fused(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor): tf.Tensor[] {
  return tf.engine().runKernel('XferBatchNormTraining', { x, scale, offset }, { varianceEpsilon: EPSILON }) as tf.Tensor[];
}

/**
 * A loss that reaches all three outputs, so the gradient's handling of upstream gradients of the
 * batch statistics is checked too, and its gradients with respect to x, scale and offset.
 */
function gradients(bn: typeof composed, x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, weights: tf.Tensor[]): Float32Array[] {
  const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
    const [y, mean, variance] = bn(a, b, c);
    return tf.addN([tf.sum(tf.mul(y!, weights[0]!)), tf.sum(tf.mul(mean!, weights[1]!)), tf.sum(tf.mul(variance!, weights[2]!))]) as tf.Scalar;
  };
  return tf.grads(loss)([x, scale, offset]).map((g) => g.dataSync() as Float32Array);
}

describe('training-mode batch norm (XferBatchNormTraining)', () => {
  beforeAll(() => registerNativeKernels());
  afterAll(() => unregisterNativeKernels());

  const shapes = [
    ['an entry-flow activation', [2, 36, 36, 128]],
    ['an odd channel count', [3, 9, 9, 45]],
    ['a dense layer', [32, 300]],
  ] as const;

  for (const [name, shape] of shapes) {
    it(`normalises with the batch statistics as moments + batchNorm do: ${name}`, () => {
      tf.tidy(() => {
        const c = shape[shape.length - 1]!;
        // Off-centre and scaled, as activations are: the statistics must not lose precision.
        const x = tf.add(tf.mul(randn([...shape]), 3), 5);
        const [scale, offset] = [randn([c]), randn([c])];
        const want = stock(() => composed(x, scale, offset).map((t) => t.dataSync()));
        const got = fused(x, scale, offset).map((t) => t.dataSync());
        got.forEach((g, i) => expect(relativeError(g, want[i]!), ['y', 'mean', 'variance'][i]).toBeLessThanOrEqual(TOLERANCE));
      });
    });

    it(`has the gradient autodiff gives through moments + batchNorm: ${name}`, () => {
      tf.tidy(() => {
        const c = shape[shape.length - 1]!;
        const x = tf.add(tf.mul(randn([...shape]), 2), 1);
        const [scale, offset] = [randn([c]), randn([c])];
        const weights = [randn([...shape]), randn([c]), randn([c])];
        const want = stock(() => gradients(composed, x, scale, offset, weights));
        const got = gradients(fused, x, scale, offset, weights);
        got.forEach((g, i) => expect(relativeError(g, want[i]!), ['dx', 'dscale', 'doffset'][i]).toBeLessThanOrEqual(TOLERANCE));
      });
    });
  }

  it('leaves what it does not cover to the caller: parameters that are not one per channel', () => {
    const x = randn([2, 4, 4, 8]);
    expect(() => fused(x, randn([1]), randn([8]))).toThrow(/not supported for these inputs/);
    x.dispose();
  });
});
