import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';

import { expectAgrees, randn } from './helpers.js';
import { DEPTHWISE_CASES } from './xception_shapes.js';

describe('DepthwiseConv2dNative family agrees with tfjs cpu on Xception geometries', () => {
  for (const c of DEPTHWISE_CASES) {
    const attrs = { strides: c.stride, pad: c.pad, dilations: 1 };
    const filterShape = [c.k, c.k, c.x[3], c.out / c.x[3]];

    it(`forward ${c.name}`, () => {
      tf.tidy(() => expectAgrees('DepthwiseConv2dNative', { x: randn(c.x), filter: randn(filterShape) }, attrs));
    });

    it(`backprop input ${c.name}`, () => {
      tf.tidy(() => {
        const filter = randn(filterShape);
        const dy = tf.depthwiseConv2d(randn(c.x) as tf.Tensor4D, filter as tf.Tensor4D, c.stride, c.pad);
        expectAgrees('DepthwiseConv2dNativeBackpropInput', { dy: randn(dy.shape), filter }, { ...attrs, inputShape: c.x });
      });
    });

    it(`backprop filter ${c.name}`, () => {
      tf.tidy(() => {
        const x = randn(c.x);
        const dy = tf.depthwiseConv2d(x as tf.Tensor4D, randn(filterShape) as tf.Tensor4D, c.stride, c.pad);
        expectAgrees('DepthwiseConv2dNativeBackpropFilter', { x, dy: randn(dy.shape) }, { ...attrs, filterShape });
      });
    });
  }

  it('FusedDepthwiseConv2D with bias and relu', () => {
    tf.tidy(() => {
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'relu' };
      expectAgrees('FusedDepthwiseConv2D', { x: randn([2, 9, 9, 40]), filter: randn([3, 3, 40, 1]), bias: randn([40]) }, attrs);
    });
  });
});
