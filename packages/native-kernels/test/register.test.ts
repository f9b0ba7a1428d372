import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';

import { info, primitives } from '../src/index.js';
import { NATIVE_KERNEL_NAMES, registerNativeKernels, unregisterNativeKernels } from '../src/register.js';
import { randn, relativeError, TOLERANCE } from './helpers.js';

describe('registration', () => {
  afterEach(() => unregisterNativeKernels());

  it('reports oneDNN, its ISA and the thread count', () => {
    const i = info();
    expect(i.onednn).toMatch(/^\d+\.\d+\.\d+$/);
    expect(i.threads).toBeGreaterThanOrEqual(1);
  });

  it('replaces the kernels on cpu and restores the stock ones', () => {
    const before = tf.getKernel('Conv2D', 'cpu')?.kernelFunc;
    registerNativeKernels();
    for (const name of NATIVE_KERNEL_NAMES) expect(tf.getKernel(name, 'cpu'), name).toBeDefined();
    expect(tf.getKernel('Conv2D', 'cpu')?.kernelFunc).not.toBe(before);
    registerNativeKernels(); // idempotent
    unregisterNativeKernels();
    expect(tf.getKernel('Conv2D', 'cpu')?.kernelFunc).toBe(before);
  });

  it('runs convolutions through oneDNN primitives', () => {
    registerNativeKernels();
    tf.tidy(() => tf.conv2d(randn([1, 8, 8, 4]) as tf.Tensor4D, randn([3, 3, 4, 8]) as tf.Tensor4D, 1, 'same').dataSync());
    expect(primitives().some((p) => p.kind === 'conv_forward' && p.impl.length > 0)).toBe(true);
  });

  it('falls back to the stock kernel for what it does not cover (ceil rounding, int32)', () => {
    const x = randn([1, 9, 9, 2]) as tf.Tensor4D;
    const w = randn([2, 2, 2, 3]) as tf.Tensor4D;
    const attrs = { strides: 2, pad: 1, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: 'ceil' };
    const want = (tf.engine().runKernel('Conv2D', { x, filter: w }, attrs) as tf.Tensor).dataSync();
    const wantInt = tf.maxPool(tf.cast(x, 'int32') as tf.Tensor4D, 2, 2, 'valid').dataSync();
    registerNativeKernels();
    const got = (tf.engine().runKernel('Conv2D', { x, filter: w }, attrs) as tf.Tensor).dataSync();
    expect(relativeError(got, want)).toBeLessThanOrEqual(TOLERANCE);
    expect([...tf.maxPool(tf.cast(x, 'int32') as tf.Tensor4D, 2, 2, 'valid').dataSync()]).toEqual([...wantInt]);
  });

  it('rejects arrays of the wrong size instead of reading past them', async () => {
    const { loadBinding } = await import('../src/binding.js');
    const g = [1, 4, 4, 2, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    expect(() => loadBinding().convForward(g, new Float32Array(31), new Float32Array(54), null, 0, new Float32Array(48))).toThrow(/x has 31 elements/);
    expect(() => loadBinding().convForward(g, new Float32Array(32), new Float32Array(54), null, 0, new Float32Array(47))).toThrow(/y has 47/);
  });
});
