import { getKernelsForBackend, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';

import { NATIVE_KERNEL_NAMES } from './register.js';

/** Wall time spent in one kernel. */
export interface KernelTime {
  kernel: string;
  calls: number;
  ms: number;
  /** True when the package provides this kernel natively (it may still fall back for some inputs). */
  native: boolean;
}

/** A running measurement started by {@link timeKernels}. */
export interface KernelTimer {
  /** Totals so far, slowest kernel first. */
  report(): KernelTime[];
  reset(): void;
  /** Restores the unwrapped kernels. */
  stop(): void;
}

/**
 * Times every kernel registered on a backend, for profiling: which kernels a training step
 * spends its time in, and how much of it is still JavaScript. Only the outermost kernel of a
 * nest is counted, so kernels composed of other kernels are not counted twice. Register the
 * native kernels before starting a timer, and stop it before registering others.
 */
export function timeKernels(backendName = 'cpu'): KernelTimer {
  const totals = new Map<string, { calls: number; ms: number }>();
  const originals: KernelConfig[] = getKernelsForBackend(backendName);
  let depth = 0;
  for (const config of originals) {
    unregisterKernel(config.kernelName, backendName);
    const inner = config.kernelFunc;
    registerKernel({
      ...config,
      kernelFunc: ((args: Parameters<KernelFunc>[0]) => {
        if (depth > 0) return inner(args);
        depth++;
        const t0 = performance.now();
        try {
          return inner(args);
        } finally {
          depth--;
          const t = totals.get(config.kernelName) ?? { calls: 0, ms: 0 };
          t.calls++;
          t.ms += performance.now() - t0;
          totals.set(config.kernelName, t);
        }
      }) as KernelFunc,
    });
  }
  const nativeNames = new Set(NATIVE_KERNEL_NAMES);
  return {
    report: () =>
      [...totals].map(([kernel, t]) => ({ kernel, ...t, native: nativeNames.has(kernel) })).sort((a, b) => b.ms - a.ms),
    reset: () => totals.clear(),
    stop: () => {
      for (const config of originals) {
        unregisterKernel(config.kernelName, backendName);
        registerKernel(config);
      }
    },
  };
}
