import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { loadBinding } from '../src/binding.js';
import { NATIVE_KERNELS } from '../src/register.js';
import { expectAgrees, randn, relativeError, runBoth, runNativeOnly, TOLERANCE } from './helpers.js';

describe('elementwise kernels agree with tfjs cpu', () => {
  const broadcasts: Array<[string, number[], number[]]> = [
    ['same shape', [2, 9, 9, 728], [2, 9, 9, 728]],
    ['per-channel', [2, 36, 36, 128], [128]],
    ['per-channel, channel first operand', [1, 1, 40], [2, 5, 5, 40]],
    ['scalar', [64, 300], []],
    ['scalar first', [1], [3, 7]],
    ['per-image (the global average pool gradient)', [2, 1, 1, 40], [2, 5, 5, 40]],
    ['per-image, full operand first', [3, 4, 4, 24], [3, 1, 1, 24]],
    ['per-row', [6, 1], [6, 33]],
  ];
  for (const kernel of ['Add', 'Sub', 'Multiply', 'RealDiv']) {
    for (const [name, a, b] of broadcasts) {
      it(`${kernel} ${name}`, () => {
        tf.tidy(() => {
          const bb = kernel === 'RealDiv' ? tf.add(tf.abs(randn(b)), 0.5) : randn(b);
          expectAgrees(kernel, { a: randn(a), b: bb }, {});
        });
      });
    }
  }

  for (const kernel of ['Relu', 'Step', 'Square']) {
    it(kernel, () => tf.tidy(() => expectAgrees(kernel, { x: randn([2, 72, 72, 16]) }, kernel === 'Step' ? { alpha: 0 } : {})));
  }
  it('Sqrt', () => tf.tidy(() => expectAgrees('Sqrt', { x: tf.abs(randn([1000, 33])) }, {})));

  it('XferReluGrad is dy · step(x)', () => {
    tf.tidy(() => {
      const x = randn([2, 36, 36, 64]);
      const dy = randn([2, 36, 36, 64]);
      const { got } = runNativeOnly('XferReluGrad', { dy, x });
      expect(relativeError(got, tf.mul(dy, tf.step(x)).dataSync())).toBeLessThanOrEqual(TOLERANCE);
    });
  });

  it('XferBatchNormScaleGrad is Σ dy · (x − mean) over the leading axes', () => {
    tf.tidy(() => {
      const x = randn([2, 18, 18, 728]);
      const dy = randn([2, 18, 18, 728]);
      const mean = randn([728]);
      const { got } = runNativeOnly('XferBatchNormScaleGrad', { dy, x, mean });
      expect(relativeError(got, tf.sum(tf.mul(dy, tf.sub(x, mean)), [0, 1, 2]).dataSync())).toBeLessThanOrEqual(TOLERANCE);
    });
  });

  const sums: Array<[string, number[], number[] | null, boolean]> = [
    ['over N, H, W (per-channel, batch-norm gradients)', [4, 36, 36, 128], [0, 1, 2], false],
    ['over the batch (dense bias)', [32, 1], [0], false],
    ['all axes', [3, 50, 7], null, false],
    ['leading axes, keepDims, negative axis', [6, 10, 5], [0, -2], true],
  ];
  for (const [name, shape, axis, keepDims] of sums) {
    it(`Sum ${name}`, () => tf.tidy(() => expectAgrees('Sum', { x: randn(shape) }, { axis, keepDims })));
  }

  const means: Array<[string, number[], number[] | null, boolean]> = [
    ['over H, W (the global average pool)', [4, 5, 5, 2048], [1, 2], false],
    ['over N, H, W (batch statistics)', [4, 36, 36, 128], [0, 1, 2], false],
    ['over the last axis, keepDims', [6, 10, 5], [-1], true],
    ['all axes', [3, 50, 7], null, false],
    ['no axes', [4, 6], [], false],
  ];
  for (const [name, shape, axis, keepDims] of means) {
    it(`Mean ${name}`, () => tf.tidy(() => expectAgrees('Mean', { x: randn(shape) }, { axis, keepDims })));
  }

  it('Mean over H, W is bit for bit what tfjs computes', () => {
    tf.tidy(() => {
      const { ref, got } = runBoth('Mean', { x: randn([2, 7, 7, 300]) }, { axis: [1, 2], keepDims: false });
      expect(Array.from(got)).toEqual(Array.from(ref));
    });
  });

  it('a binary op whose operand repeats along two separate runs of axes is left to tfjs', () => {
    tf.tidy(() => {
      const mul = NATIVE_KERNELS.find((k) => k.kernelName === 'Multiply')!;
      const args = { inputs: { a: randn([2, 1, 5, 1]), b: randn([2, 3, 5, 4]) }, backend: tf.backend() as MathBackendCPU, attrs: {} };
      expect(mul.run(args, loadBinding())).toBeUndefined();
    });
  });

  it('Mean leaves axes that are not one run to tfjs', () => {
    tf.tidy(() => {
      const mean = NATIVE_KERNELS.find((k) => k.kernelName === 'Mean')!;
      const args = { inputs: { x: randn([2, 3, 4]) }, backend: tf.backend() as MathBackendCPU, attrs: { axis: [0, 2] } };
      expect(mean.run(args, loadBinding())).toBeUndefined();
    });
  });
});
