import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerNativeKernels, unregisterNativeKernels } from '../src/register.js';
import { randn } from './helpers.js';

const backend = () => tf.backend() as MathBackendCPU;
/** A tensor's storage, looked at without reading it through the backend (which would count as an escape). */
const storage = (t: tf.Tensor) => backend().data.get(t.dataId).values as Float32Array;

/** Relu on the stock kernel, the reference. */
function stockRelu(x: tf.Tensor): Float32Array {
  unregisterNativeKernels();
  try {
    return tf.relu(x).dataSync() as Float32Array;
  } finally {
    registerNativeKernels();
  }
}

describe('output buffer pool', () => {
  beforeAll(() => registerNativeKernels());
  afterAll(() => unregisterNativeKernels());

  it('hands a released output to the next kernel of that size, which overwrites all of it', () => {
    const x = randn([3, 17, 17, 40]);
    const first = tf.relu(x);
    const released = storage(first);
    first.dispose();
    released.fill(Number.NaN);
    const second = tf.relu(x);
    expect(storage(second)).toBe(released);
    expect(Array.from(second.dataSync())).toEqual(Array.from(stockRelu(x)));
    tf.dispose([x, second]);
  });

  it('never recycles an array that was read: what dataSync() returned stays as it was', () => {
    const x = randn([2, 9, 9, 64]);
    const first = tf.relu(x);
    const read = first.dataSync();
    const copy = Array.from(read);
    first.dispose();
    const second = tf.relu(tf.neg(x));
    expect(storage(second)).not.toBe(read);
    expect(Array.from(read)).toEqual(copy);
    tf.dispose([x, second]);
  });

  it('never recycles an array whose buffer another tensor shares (a contiguous slice)', () => {
    const x = randn([4, 5, 5, 8]);
    const y = tf.relu(x);
    const head = tf.slice(y, [0], [2]);
    expect(storage(head).buffer).toBe(storage(y).buffer);
    const expected = Array.from(storage(head));
    y.dispose();
    const z = tf.relu(tf.neg(x));
    expect(storage(z).buffer).not.toBe(storage(head).buffer);
    expect(Array.from(head.dataSync())).toEqual(expected);
    tf.dispose([x, head, z]);
  });

  it('is taken off the backend when the kernels are unregistered', () => {
    const proto = Object.getPrototypeOf(backend()) as MathBackendCPU;
    tf.dispose(tf.relu(randn([2, 2])));
    expect(backend().disposeData).not.toBe(proto.disposeData);
    unregisterNativeKernels();
    expect(backend().disposeData).toBe(proto.disposeData);
    expect(backend().readSync).toBe(proto.readSync);
    expect(backend().write).toBe(proto.write);
    registerNativeKernels();
  });
});
