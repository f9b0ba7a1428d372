import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

import type { NativeBinding } from '../binding.js';

/** What a tfjs kernel function receives, with the backend typed as the cpu backend. */
export interface CpuKernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: MathBackendCPU;
  attrs: NamedAttrMap;
}

/**
 * A native implementation of one tfjs kernel. `run` returns undefined for cases it does not
 * cover (another dtype, NCHW, a padding oneDNN cannot express, an unfused activation); tfjs's
 * own kernel then runs, so registering never narrows what the backend can do.
 */
export interface NativeKernel {
  kernelName: string;
  run(args: CpuKernelArgs, native: NativeBinding): TensorInfo | TensorInfo[] | undefined;
}
