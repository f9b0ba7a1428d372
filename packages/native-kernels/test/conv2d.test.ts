import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';

import { expectAgrees, randn } from './helpers.js';
import { DENSE_CASES } from './xception_shapes.js';

describe('Conv2D family agrees with tfjs cpu on Xception geometries', () => {
  for (const c of DENSE_CASES) {
    const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
    const filterShape = [c.k, c.k, c.x[3], c.out];

    it(`Conv2D ${c.name}`, () => {
      tf.tidy(() => expectAgrees('Conv2D', { x: randn(c.x), filter: randn(filterShape) }, attrs));
    });

    it(`Conv2DBackpropInput ${c.name}`, () => {
      tf.tidy(() => {
        const filter = randn(filterShape);
        const dy = tf.conv2d(randn(c.x) as tf.Tensor4D, filter as tf.Tensor4D, c.stride, c.pad);
        expectAgrees('Conv2DBackpropInput', { dy: randn(dy.shape), filter }, { ...attrs, inputShape: c.x });
      });
    });

    it(`Conv2DBackpropFilter ${c.name}`, () => {
      tf.tidy(() => {
        const x = randn(c.x);
        const dy = tf.conv2d(x as tf.Tensor4D, randn(filterShape) as tf.Tensor4D, c.stride, c.pad);
        expectAgrees('Conv2DBackpropFilter', { x, dy: randn(dy.shape) }, { ...attrs, filterShape });
      });
    });
  }

  for (const activation of ['linear', 'relu', 'relu6']) {
    it(`FusedConv2D with bias and ${activation}`, () => {
      tf.tidy(() => {
        const x = randn([2, 18, 18, 16]);
        const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation };
        expectAgrees('FusedConv2D', { x, filter: randn([3, 3, 16, 24]), bias: randn([24]) }, attrs);
      });
    });
  }

  it('Conv2D with dilation 2', () => {
    tf.tidy(() => {
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 2 };
      expectAgrees('Conv2D', { x: randn([2, 15, 15, 6]), filter: randn([3, 3, 6, 10]) }, attrs);
    });
  });
});
