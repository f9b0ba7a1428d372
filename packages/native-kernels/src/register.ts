import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';

import { loadBinding } from './binding.js';
import { batchNormKernel } from './kernels/batch_norm.js';
import { convKernels } from './kernels/conv2d.js';
import type { CpuKernelArgs, NativeKernel } from './kernels/kernel.js';
import { maxPoolGradKernel, maxPoolKernel } from './kernels/max_pool.js';

/** Every kernel the package provides, in registration order. */
export const NATIVE_KERNELS: readonly NativeKernel[] = [...convKernels, batchNormKernel, maxPoolKernel, maxPoolGradKernel];

/** The names of the kernels {@link registerNativeKernels} replaces. */
export const NATIVE_KERNEL_NAMES: readonly string[] = NATIVE_KERNELS.map((k) => k.kernelName);

/** The kernels that were on the backend before registration, to fall back on and to restore. */
const stock = new Map<string, KernelConfig | undefined>();

/**
 * Replaces the heavy kernels of tfjs's `cpu` backend with the native ones. Cases a native kernel
 * does not cover run the kernel that was registered before. Loads the addon first, so it throws
 * (and changes nothing) when the addon cannot load. Calling it again is a no-op.
 */
export function registerNativeKernels(): readonly string[] {
  const native = loadBinding();
  for (const kernel of NATIVE_KERNELS) {
    if (stock.has(kernel.kernelName)) continue;
    const previous = getKernel(kernel.kernelName, 'cpu');
    stock.set(kernel.kernelName, previous);
    if (previous) unregisterKernel(kernel.kernelName, 'cpu');
    const fallback = previous?.kernelFunc;
    registerKernel({
      kernelName: kernel.kernelName,
      backendName: 'cpu',
      kernelFunc: ((args: CpuKernelArgs) => {
        const out = kernel.run(args, native);
        if (out) return out;
        if (!fallback) throw new Error(`@xfer/native-kernels: ${kernel.kernelName} is not supported for these inputs and the cpu backend has no kernel of its own`);
        return fallback(args as unknown as Parameters<KernelFunc>[0]);
      }) as unknown as KernelFunc,
    });
  }
  return NATIVE_KERNEL_NAMES;
}

/** Puts back the kernels that {@link registerNativeKernels} replaced. */
export function unregisterNativeKernels(): void {
  for (const [name, previous] of stock) {
    unregisterKernel(name, 'cpu');
    if (previous) registerKernel(previous);
  }
  stock.clear();
}
