import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';

import { expectAgrees, randn } from './helpers.js';

describe('FusedBatchNorm agrees with tfjs cpu', () => {
  it('per-channel parameters, eps 1e-3 (Keras BatchNormalization)', () => {
    tf.tidy(() => {
      const c = 728;
      const variance = tf.abs(randn([c]));
      expectAgrees('FusedBatchNorm', { x: randn([2, 9, 9, c]), mean: randn([c]), variance, scale: randn([c]), offset: randn([c]) }, { varianceEpsilon: 1e-3 });
    });
  });

  it('no scale or offset, scalar variance', () => {
    tf.tidy(() => {
      expectAgrees('FusedBatchNorm', { x: randn([3, 5, 7]), mean: randn([7]), variance: tf.tensor1d([0.5]) }, { varianceEpsilon: 1e-3 });
    });
  });
});

describe('MaxPool and MaxPoolGrad agree with tfjs cpu', () => {
  const cases: Array<[string, number[], 'same' | 'valid']> = [
    ['Xception 3x3/2 same, 72x72', [2, 72, 72, 16], 'same'],
    ['Xception 3x3/2 same, 9x9x728', [2, 9, 9, 728], 'same'],
    ['3x3/2 valid, odd size', [2, 11, 11, 5], 'valid'],
  ];
  for (const [name, shape, pad] of cases) {
    const attrs = { filterSize: 3, strides: 2, pad };
    it(`MaxPool ${name}`, () => {
      tf.tidy(() => expectAgrees('MaxPool', { x: randn(shape) }, attrs));
    });
    it(`MaxPoolGrad ${name}`, () => {
      tf.tidy(() => {
        const input = randn(shape);
        const output = tf.maxPool(input as tf.Tensor4D, 3, 2, pad);
        expectAgrees('MaxPoolGrad', { dy: randn(output.shape), input, output }, attrs);
      });
    });
  }
});
