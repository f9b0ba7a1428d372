import * as tf from '@tensorflow/tfjs-core';

import { loadNativeKernels } from './native_kernels.js';

/**
 * What convolutions and matmuls compute in, by Keras' policy names. 'mixed_bfloat16' reads their
 * activations and weights as bf16 and accumulates and writes float32; weights, optimizer state,
 * batch-norm statistics, logits and the loss stay float32, as under Keras' policy.
 */
export type Precision = 'float32' | 'mixed_bfloat16';

export const PRECISIONS: readonly Precision[] = ['float32', 'mixed_bfloat16'];

/**
 * Sets the precision for everything the picked backend computes from now on. mixed_bfloat16
 * runs on the cpu backend with @xfer/native-kernels on a CPU with native bf16 (AVX512-BF16 or
 * AMX); anywhere else it throws, saying why, and changes nothing.
 */
export async function setPrecision(precision: Precision): Promise<void> {
  const native = await loadNativeKernels();
  if (precision === 'float32') {
    if (typeof native !== 'string') native.setPrecision('float32');
    return;
  }
  if (typeof native === 'string') throw new Error(`--precision ${precision} needs @xfer/native-kernels (oneDNN), which did not load: ${native}`);
  if (tf.getBackend() !== 'cpu') {
    throw new Error(`--precision ${precision} runs on the cpu backend with @xfer/native-kernels; this run's backend is ${tf.getBackend()}`);
  }
  native.setPrecision(precision);
}
