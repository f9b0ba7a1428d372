/**
 * @xfer/native-kernels: oneDNN kernels for tfjs's `cpu` backend, so convnet training runs at
 * native speed where tfjs-node cannot load.
 *
 * ```ts
 * import '@tensorflow/tfjs-backend-cpu';
 * import { registerNativeKernels } from '@xfer/native-kernels';
 * registerNativeKernels(); // Conv2D and friends on 'cpu' now run in oneDNN
 * ```
 */
import { loadBinding, type NativeInfo, type NativePrimitive, type Precision } from './binding.js';

export type { NativeInfo, NativePrimitive, Precision } from './binding.js';
export { NATIVE_KERNEL_NAMES, NATIVE_KERNELS, registerNativeKernels, unregisterNativeKernels } from './register.js';
export type { NativeKernel, CpuKernelArgs } from './kernels/kernel.js';
export { FROZEN_GRAPH, FrozenGraph, type FrozenGraphNode } from './frozen_graph.js';
export { timeKernels, type KernelTime, type KernelTimer } from './kernel_timer.js';

/** The oneDNN version, the ISA its JIT targets and the thread count. Throws if the addon cannot load. */
export function info(): NativeInfo {
  return loadBinding().info();
}

/**
 * Sets what convolutions and matmuls compute in, for every call from now on ('float32' at
 * start). 'mixed_bfloat16' throws, changing nothing, on a CPU without native bf16; a geometry
 * oneDNN has no bf16 implementation for computes in float32.
 */
export function setPrecision(precision: Precision): void {
  loadBinding().setPrecision(precision);
}

/** The primitives created so far and the oneDNN implementation behind each (e.g. "brg:avx512_core"). */
export function primitives(): NativePrimitive[] {
  return loadBinding().primitives();
}
