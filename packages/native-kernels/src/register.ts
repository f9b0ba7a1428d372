import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';

import { loadBinding } from './binding.js';
import { detachBufferPools } from './buffer_pool.js';
import { batchMatMulKernel } from './kernels/batch_mat_mul.js';
import { batchNormKernel, batchNormTrainingGradKernel, batchNormTrainingKernel } from './kernels/batch_norm.js';
import { convKernels } from './kernels/conv2d.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { frozenGraphKernel } from './kernels/frozen_graph.js';
import { gradientKernels } from './kernels/gradient_kernels.js';
import { deactivateNativeGradients, registerNativeGradients } from './gradients.js';
import type { CpuKernelArgs, NativeKernel } from './kernels/kernel.js';
import { kerasAdamKernel } from './kernels/keras_adam.js';
import { maxPoolGradKernel, maxPoolKernel } from './kernels/max_pool.js';

/** Every kernel the package provides, in registration order. */
export const NATIVE_KERNELS: readonly NativeKernel[] = [
  ...convKernels,
  batchNormKernel,
  batchNormTrainingKernel,
  batchNormTrainingGradKernel,
  maxPoolKernel,
  maxPoolGradKernel,
  batchMatMulKernel,
  ...elementwiseKernels,
  ...gradientKernels,
  kerasAdamKernel,
  frozenGraphKernel,
];

/** The names of the kernels {@link registerNativeKernels} replaces. */
export const NATIVE_KERNEL_NAMES: readonly string[] = NATIVE_KERNELS.map((k) => k.kernelName);

/** Per kernel: the kernel it replaced (to fall back on and to restore) and its own function. */
const installed = new Map<string, { previous: KernelConfig | undefined; own: KernelFunc }>();

/**
 * Replaces the heavy kernels of tfjs's `cpu` backend with the native ones. Cases a native kernel
 * does not cover run the kernel that was registered before. Loads the addon first, so it throws
 * (and changes nothing) when the addon cannot load. Calling it again is a no-op, except that a
 * kernel someone registered over a native one since is replaced again (and becomes its fallback).
 * Also installs one-pass gradients for Relu and FusedBatchNorm on cpu (gradients.ts), which
 * need tfjs's gradients to be registered first (import '@tensorflow/tfjs' or its gradients).
 */
export function registerNativeKernels(): readonly string[] {
  const native = loadBinding();
  for (const kernel of NATIVE_KERNELS) {
    const current = getKernel(kernel.kernelName, 'cpu');
    if (current && current.kernelFunc === installed.get(kernel.kernelName)?.own) continue;
    if (current) unregisterKernel(kernel.kernelName, 'cpu');
    const fallback = current?.kernelFunc;
    const own = ((args: CpuKernelArgs) => {
      const out = kernel.run({ ...args, attrs: args.attrs ?? {} }, native);
      if (out) return out;
      if (!fallback) throw new Error(`@xfer/native-kernels: ${kernel.kernelName} is not supported for these inputs and the cpu backend has no kernel of its own`);
      return fallback(args as unknown as Parameters<KernelFunc>[0]);
    }) as unknown as KernelFunc;
    registerKernel({ kernelName: kernel.kernelName, backendName: 'cpu', kernelFunc: own });
    installed.set(kernel.kernelName, { previous: current, own });
  }
  registerNativeGradients();
  return NATIVE_KERNEL_NAMES;
}

/** Puts back the kernels that {@link registerNativeKernels} replaced, where its own are still registered. */
export function unregisterNativeKernels(): void {
  deactivateNativeGradients();
  detachBufferPools();
  for (const [name, { previous, own }] of installed) {
    if (getKernel(name, 'cpu')?.kernelFunc !== own) continue;
    unregisterKernel(name, 'cpu');
    if (previous) registerKernel(previous);
  }
  installed.clear();
}
