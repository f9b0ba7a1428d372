import '@tensorflow/tfjs-backend-cpu';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

import { loadBinding } from '../src/binding.js';
import { NATIVE_KERNELS } from '../src/register.js';

tf.enableProdMode();
await tf.setBackend('cpu');

/** Relative tolerance of every comparison: |native − stock| ≤ TOLERANCE · max|stock|, element-wise. */
export const TOLERANCE = 1e-4;

let seed = 1;
/** A normal random tensor with its own seed, so each run sees the same data. */
export function randn(shape: number[]): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed++);
}

function backend(): MathBackendCPU {
  return tf.backend() as MathBackendCPU;
}

/**
 * Runs a kernel both ways on the same inputs: tfjs's stock cpu kernel (the independent
 * reference) and the package's native kernel. Fails if the native kernel declined the case, so
 * a silent fallback cannot pass for agreement.
 */
export function runBoth(kernelName: string, inputs: Record<string, tf.Tensor | undefined>, attrs: Record<string, unknown>) {
  const stock = tf.getKernel(kernelName, 'cpu');
  if (!stock) throw new Error(`no stock ${kernelName} kernel`);
  const native = NATIVE_KERNELS.find((k) => k.kernelName === kernelName);
  if (!native) throw new Error(`no native ${kernelName} kernel`);
  const args = { inputs: inputs as Record<string, tf.TensorInfo>, backend: backend(), attrs: attrs as tf.NamedAttrMap };
  const ref = stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  const got = native.run(args, loadBinding()) as tf.TensorInfo | undefined;
  expect(got, `${kernelName} fell back to tfjs`).toBeDefined();
  return { ref: read(ref), got: read(got!), refShape: ref.shape, gotShape: got!.shape };
}

/**
 * Runs one of the package's own kernels, which have no stock counterpart; the reference is then
 * composed from stock ops by the caller (computed before registration or on stock kernels).
 */
function runNative(kernelName: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.TensorInfo[] {
  const native = NATIVE_KERNELS.find((k) => k.kernelName === kernelName);
  if (!native) throw new Error(`no native ${kernelName} kernel`);
  const got = native.run({ inputs, backend: backend(), attrs: attrs as tf.NamedAttrMap }, loadBinding());
  expect(got, `${kernelName} declined`).toBeDefined();
  return [got!].flat();
}

/** {@link runNative} for a kernel with one output. */
export function runNativeOnly(kernelName: string, inputs: Record<string, tf.Tensor>) {
  const [got] = runNative(kernelName, inputs, {});
  return { got: read(got!), shape: got!.shape };
}

/** {@link runNative} for a kernel with several outputs: their values, in order. */
export function runNativeOnlyMulti(kernelName: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): number[][] {
  return runNative(kernelName, inputs, attrs).map((t) => [...read(t)]);
}

function read(t: tf.TensorInfo): Float32Array {
  const values = backend().readSync(t.dataId) as Float32Array;
  backend().disposeData(t.dataId, true);
  return values;
}

/** max |got − ref| / max |ref|. */
export function relativeError(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(got.length).toBe(ref.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs((got[i] as number) - (ref[i] as number)));
    scale = Math.max(scale, Math.abs(ref[i] as number));
  }
  expect(scale, 'the reference is all zeros, which proves nothing').toBeGreaterThan(0);
  return diff / scale;
}

/** Runs both kernels and checks shape and values; returns the relative error. */
export function expectAgrees(kernelName: string, inputs: Record<string, tf.Tensor | undefined>, attrs: Record<string, unknown>, tolerance = TOLERANCE): number {
  const { ref, got, refShape, gotShape } = runBoth(kernelName, inputs, attrs);
  expect(gotShape).toEqual(refShape);
  const error = relativeError(got, ref);
  expect(error).toBeLessThanOrEqual(tolerance);
  return error;
}
