import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';

import { loadBinding } from '../src/binding.js';
import { setPrecision } from '../src/index.js';
import { randn, relativeError, runNativeOnlyMulti, TOLERANCE } from './helpers.js';
import { DENSE_CASES, type ConvCase } from './xception_shapes.js';

/**
 * XferConv2DBackpropFolded against the same gradients composed from stock tfjs ops (the native
 * kernels are not registered here): dx = conv2dTranspose(dy, filter · scale), dF =
 * conv2DBackpropFilter(x, dy), dw = dF · scale, wdot = Σ filter · dF per output channel.
 * Returns the largest relative error of the three outputs.
 */
function foldedError(c: ConvCase): number {
  return tf.tidy(() => {
    const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
    const filter = randn([c.k, c.k, c.x[3], c.out]) as tf.Tensor4D;
    // Scales as a folded batch norm gives them: positive, around 1, different per channel.
    const scale = tf.add(tf.abs(randn([c.out])), 0.5) as tf.Tensor1D;
    const folded = tf.mul(filter, scale) as tf.Tensor4D;
    const x = randn(c.x) as tf.Tensor4D;
    const dy = randn(tf.conv2d(x, folded, c.stride, c.pad).shape) as tf.Tensor4D;
    const [dx, dw, wdot] = runNativeOnlyMulti('XferConv2DBackpropFolded', { x, dy, filter, folded, scale }, attrs);
    const dF = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: filter.shape }) as tf.Tensor4D;
    return Math.max(
      relativeError(dx!, tf.conv2dTranspose(dy, folded, x.shape, c.stride, c.pad).dataSync()),
      relativeError(dw!, tf.mul(dF, scale).dataSync()),
      relativeError(wdot!, tf.sum(tf.mul(filter, dF), [0, 1, 2]).dataSync()),
    );
  });
}

describe('XferConv2DBackpropFolded: both gradients of a convolution with a folded per-channel scale', () => {
  afterEach(() => setPrecision('float32'));

  for (const c of DENSE_CASES) {
    it(`agrees with stock tfjs ops (${c.name})`, () => expect(foldedError(c)).toBeLessThanOrEqual(TOLERANCE));
  }

  // bf16 for the stride-1 case; the strided one reads float32 dy for its weight gradient and
  // bf16 for its data gradient, so it cannot share the converted dy.
  const bf16Cases = [DENSE_CASES.find((d) => d.k === 1 && d.stride === 1)!, DENSE_CASES.find((d) => d.k === 1 && d.stride === 2)!];
  for (const c of bf16Cases) {
    it.skipIf(!loadBinding().info().bf16)(`in mixed_bfloat16, within bf16's precision (${c.name})`, () => {
      setPrecision('mixed_bfloat16');
      const error = foldedError(c);
      expect(error).toBeLessThanOrEqual(2e-2);
      expect(error).toBeGreaterThan(1e-4);
    });
  }

  it('refuses a depthwise geometry with a RangeError', () => {
    const g = [1, 4, 4, 2, 4, 4, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2];
    const f = (n: number) => new Float32Array(n);
    expect(() => loadBinding().convBackwardFolded(g, f(32), f(32), f(2), f(2), f(2), f(32), f(2), f(2))).toThrow(RangeError);
  });
});
