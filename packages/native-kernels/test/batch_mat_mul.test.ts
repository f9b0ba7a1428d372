import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';

import { expectAgrees, randn } from './helpers.js';

describe('BatchMatMul agrees with tfjs cpu', () => {
  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ['dense layer forward (features x kernel)', [1, 32, 2048], [1, 2048, 1], false, false],
    ['dense kernel gradient (x^T dy)', [1, 32, 2048], [1, 32, 1], true, false],
    ['dense input gradient (dy W^T)', [1, 32, 1], [1, 2048, 1], false, true],
    ['batched, both transposed', [3, 17, 9], [3, 13, 17], true, true],
    ['broadcast batch of 1', [4, 6, 5], [1, 5, 7], false, false],
  ];
  for (const [name, a, b, transposeA, transposeB] of cases) {
    it(name, () => tf.tidy(() => expectAgrees('BatchMatMul', { a: randn(a), b: randn(b) }, { transposeA, transposeB })));
  }
});
