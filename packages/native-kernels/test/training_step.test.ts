// Gradients of a small Xception-style block (conv → BN → relu → separable conv → max pool, plus
// a strided 1x1 residual) through tfjs's autodiff, with and without the native kernels.
import '@tensorflow/tfjs'; // registers tfjs-core's gradients, which the Node bundle of tfjs-core leaves out
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

import { registerNativeKernels, unregisterNativeKernels } from '../src/register.js';
import { randn, relativeError, TOLERANCE } from './helpers.js';

function block(x: tf.Tensor4D, p: Record<string, tf.Tensor>): tf.Scalar {
  const bn = (t: tf.Tensor4D, c: number) =>
    tf.batchNorm(t, p[`mean${c}`] as tf.Tensor1D, p[`var${c}`] as tf.Tensor1D, p[`beta${c}`] as tf.Tensor1D, p[`gamma${c}`] as tf.Tensor1D, 1e-3);
  let h = tf.relu(bn(tf.fused.conv2d({ x, filter: p['w1'] as tf.Tensor4D, strides: 2, pad: 'valid' }), 1));
  const residual = tf.conv2d(h, p['wr'] as tf.Tensor4D, 2, 'same');
  h = tf.separableConv2d(h, p['dw'] as tf.Tensor4D, p['pw'] as tf.Tensor4D, 1, 'same');
  h = tf.maxPool(tf.relu(bn(h, 2)), 3, 2, 'same');
  return tf.mean(tf.square(tf.add(h, residual)));
}

describe('a training step through autodiff', () => {
  afterAll(() => unregisterNativeKernels());

  it('gives the stock cpu gradients for every parameter and the input', () => {
    const x = randn([2, 23, 23, 3]) as tf.Tensor4D;
    const params: Record<string, tf.Tensor> = {
      w1: randn([3, 3, 3, 16]), wr: randn([1, 1, 16, 24]), dw: randn([3, 3, 16, 1]), pw: randn([1, 1, 16, 24]),
      mean1: randn([16]), var1: tf.abs(randn([16])), beta1: randn([16]), gamma1: randn([16]),
      mean2: randn([24]), var2: tf.abs(randn([24])), beta2: randn([24]), gamma2: randn([24]),
    };
    const names = Object.keys(params);
    const grads = () => {
      const f = (xx: tf.Tensor, ...ps: tf.Tensor[]) => block(xx as tf.Tensor4D, Object.fromEntries(names.map((n, i) => [n, ps[i]!])));
      return tf.grads(f)([x, ...names.map((n) => params[n]!)]).map((g) => g.dataSync() as Float32Array);
    };
    const stock = grads();
    registerNativeKernels();
    const native = grads();
    expect(native.length).toBe(names.length + 1);
    native.forEach((g, i) => expect(relativeError(g, stock[i]!), i === 0 ? 'x' : names[i - 1]).toBeLessThanOrEqual(TOLERANCE));
  });
});
