import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { pickBackend } from '../../src/backend/pick_backend.js';

// Xception's pools (k3 s2 'same') on even and odd sizes, where tfjs-backend-wasm 4.22's own kernel
// misplaced gradients, and other geometries.
const cases: Array<{ size: [number, number]; k: number; s: number; pad: 'same' | 'valid' }> = [
  { size: [8, 8], k: 3, s: 2, pad: 'same' },
  { size: [9, 9], k: 3, s: 2, pad: 'same' },
  { size: [16, 16], k: 3, s: 2, pad: 'same' },
  { size: [15, 10], k: 3, s: 2, pad: 'same' },
  { size: [9, 9], k: 2, s: 2, pad: 'valid' },
  { size: [7, 7], k: 3, s: 1, pad: 'same' },
];

async function gradients(): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const { size: [h, w], k, s, pad } of cases) {
    const x = tf.tensor4d(Float32Array.from({ length: 2 * h * w * 3 }, (_, i) => Math.sin(i * 0.731) * Math.cos(i * 0.05)), [2, h, w, 3]);
    const f = (t: tf.Tensor4D) => tf.maxPool(t, k, s, pad);
    const shape = f(x).shape;
    const dy = tf.sin(tf.mul(tf.range(0, shape.reduce((a, b) => a * b, 1)), 0.3)).reshape(shape);
    out.push((await tf.grad((t: tf.Tensor4D) => tf.sum(tf.mul(f(t), dy)))(x).data()) as Float32Array);
  }
  return out;
}

describe("xfer's MaxPoolGrad on the wasm backend", () => {
  it("equals tfjs' stock cpu kernel on every geometry", async () => {
    await tf.setBackend('cpu');
    const reference = await gradients();
    await pickBackend('wasm');
    const wasm = await gradients();
    cases.forEach((c, i) => {
      const worst = Math.max(...reference[i]!.map((v, j) => Math.abs(v - wasm[i]![j]!)));
      expect(worst, JSON.stringify(c)).toBeLessThanOrEqual(1e-6);
    });
  });
});
