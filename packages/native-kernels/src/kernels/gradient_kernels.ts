import { allFloat32, floatsOf, output } from '../backend_data.js';
import type { NativeKernel } from './kernel.js';

/** Kernels of the package's own, which only its gradients (../gradients.ts) call. */
export const RELU_GRAD = 'XferReluGrad';
export const BATCH_NORM_SCALE_GRAD = 'XferBatchNormScaleGrad';

/** dx = dy where x > 0, else 0: relu's gradient in one pass instead of step, cast and multiply. */
const reluGradKernel: NativeKernel = {
  kernelName: RELU_GRAD,
  run({ inputs, backend }, native) {
    const { dy, x } = inputs;
    if (!dy || !x || !allFloat32(dy, x)) return undefined;
    return output(backend, [...x.shape], (dx) => native.reluGrad(floatsOf(backend, dy), floatsOf(backend, x), dx));
  },
};

/**
 * Σ dy·(x − mean) per channel (the last axis), the batch-norm scale gradient before its factor
 * rsqrt(variance + ε): one pass instead of a subtract, a multiply and a sum over full activations.
 */
const batchNormScaleGradKernel: NativeKernel = {
  kernelName: BATCH_NORM_SCALE_GRAD,
  run({ inputs, backend }, native) {
    const { dy, x, mean } = inputs;
    if (!dy || !x || !mean || !allFloat32(dy, x, mean)) return undefined;
    const channels = x.shape[x.shape.length - 1] ?? 1;
    return output(backend, [channels], (out) => native.sumCentredProduct(floatsOf(backend, dy), floatsOf(backend, x), floatsOf(backend, mean), out));
  },
};

export const gradientKernels: NativeKernel[] = [reluGradKernel, batchNormScaleGradKernel];
