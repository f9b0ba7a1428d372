import {
  engine,
  getBackend,
  getGradient,
  mul,
  registerGradient,
  reshape,
  rsqrt,
  add,
  sum,
  type GradConfig,
  type NamedAttrMap,
  type Tensor,
} from '@tensorflow/tfjs-core';

import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from './kernels/batch_norm.js';
import { BATCH_NORM_SCALE_GRAD, RELU_GRAD } from './kernels/gradient_kernels.js';

/**
 * Gradients of Relu and FusedBatchNorm that call the package's one-pass kernels. tfjs keeps one
 * gradient per kernel for all backends, so these apply only on the cpu backend and only for
 * float32 per-channel cases; everything else goes to the gradient registered before.
 */
const ours = new Map<string, GradConfig>();
let active = false;

const onCpu = (...ts: Array<Tensor | undefined>) => active && getBackend() === 'cpu' && ts.every((t) => !t || t.dtype === 'float32');

function reluGradient(prev: GradConfig): GradConfig {
  return {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [Tensor];
      if (!onCpu(x, dy as Tensor)) return prev.gradFunc(dy, saved, attrs);
      return { x: () => engine().runKernel(RELU_GRAD, { dy: dy as Tensor, x }) as Tensor };
    },
  };
}

function batchNormGradient(prev: GradConfig): GradConfig {
  return {
    kernelName: 'FusedBatchNorm',
    inputsToSave: prev.inputsToSave ?? ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dyOrList, saved, attrs: NamedAttrMap) => {
      const dy = dyOrList as Tensor;
      const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
      const channels = x.shape[x.rank - 1] ?? 1;
      const perChannel = [mean, variance, scale].every((p) => !p || (p.size === channels && p.shape[p.rank - 1] === channels));
      if (!onCpu(dy, x, mean, variance, scale) || !perChannel || x.rank < 1) return prev.gradFunc(dyOrList, saved, attrs);
      const eps = (attrs['varianceEpsilon'] as number | undefined) ?? 0.001;
      const inv = () => rsqrt(add(reshape(variance, [channels]), eps));
      const leading = [...Array(x.rank - 1).keys()];
      // Statistics are never trained; when asked for anyway, their gradients come from the previous
      // gradient, called afresh each time because it may build tensors eagerly that each
      // gradient's own scope disposes.
      const fromPrevious = (name: string) => () => prev.gradFunc(dyOrList, saved, attrs)[name]!();
      return {
        x: () => mul(dy, scale ? mul(inv(), reshape(scale, [channels])) : inv()),
        scale: () => reshape(mul(engine().runKernel(BATCH_NORM_SCALE_GRAD, { dy, x, mean: reshape(mean, [channels]) }) as Tensor, inv()), (scale ?? mean).shape),
        offset: () => reshape(sum(dy, leading), mean.shape),
        mean: fromPrevious('mean'),
        variance: fromPrevious('variance'),
      };
    },
  };
}

/**
 * The gradient of the package's own training-mode batch norm: one kernel gives all three input
 * gradients, folding in those of the batch statistics it outputs (zeros unless something used them).
 */
const batchNormTrainingGradient: GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvariance] = dys as Tensor[];
    const [x, scale, mean, variance] = saved as Tensor[];
    const [dx, dscale, doffset] = engine().runKernel(BATCH_NORM_TRAINING_GRAD, { dy: dy!, x: x!, mean: mean!, variance: variance!, scale: scale!, dmean: dmean!, dvariance: dvariance! }, attrs) as Tensor[];
    return { x: () => dx!, scale: () => dscale!, offset: () => doffset! };
  },
};

/**
 * Installs the gradients above over the ones registered now; again over any registered over
 * them since.
 */
export function registerNativeGradients(): void {
  if (getGradient(BATCH_NORM_TRAINING) !== batchNormTrainingGradient) registerGradient(batchNormTrainingGradient);
  active = true;
  for (const [name, make] of [['Relu', reluGradient], ['FusedBatchNorm', batchNormGradient]] as const) {
    const current = getGradient(name);
    if (!current || current === ours.get(name)) continue;
    const own = make(current);
    ours.set(name, own);
    registerGradient(own);
  }
}

/** Makes the gradients above defer to the ones they replaced. */
export function deactivateNativeGradients(): void {
  active = false;
}
