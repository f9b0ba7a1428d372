import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';

import { bufferPool } from './buffer_pool.js';

/**
 * The cpu backend's own storage of a tensor, read without copying. Kernels hand these arrays to
 * the addon as they are; only non-float32 data (never the case in training) would be converted.
 */
export function floatsOf(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

/**
 * An output array, recycled where the pool has one of its size, that `fill` must overwrite
 * entirely; the backend adopts it as the tensor's storage (no copy).
 */
export function output(backend: MathBackendCPU, shape: number[], fill: (out: Float32Array) => void): TensorInfo {
  return outputs(backend, [shape], fill)[0]!;
}

/** {@link output} for a kernel with several outputs: `fill` gets one array per shape, in order. */
export function outputs(backend: MathBackendCPU, shapes: number[][], fill: (...out: Float32Array[]) => void): TensorInfo[] {
  const pool = bufferPool(backend);
  const arrays = shapes.map((shape) => pool.take(shape.reduce((a, b) => a * b, 1)));
  fill(...arrays);
  return arrays.map((values, i) => pool.adopt(shapes[i]!, values));
}

/** True when every given tensor holds float32 data, the only dtype the addon computes in. */
export function allFloat32(...ts: Array<TensorInfo | undefined | null>): boolean {
  return ts.every((t) => t == null || t.dtype === 'float32');
}
