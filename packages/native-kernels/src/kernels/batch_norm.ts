import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

import { allFloat32, floatsOf, output, outputs } from '../backend_data.js';
import type { NativeKernel } from './kernel.js';

/** tfjs's default when the attribute is absent. */
const epsilon = (attrs: NamedAttrMap) => (attrs['varianceEpsilon'] as number | undefined) ?? 0.001;

/**
 * FusedBatchNorm, the inference form tfjs uses for BatchNormalization with given statistics.
 * Parameters broadcast over the last axis; other broadcasts are left to tfjs.
 */
export const batchNormKernel: NativeKernel = {
  kernelName: 'FusedBatchNorm',
  run({ inputs, backend, attrs }, native) {
    const { x, mean, variance, scale, offset } = inputs;
    if (!x || !mean || !variance || !allFloat32(x, mean, variance, scale, offset) || x.shape.length === 0) return undefined;
    const channels = x.shape[x.shape.length - 1] ?? 1;
    const perChannel = [mean, variance, scale, offset].every((p) => {
      if (!p) return true;
      const n = p.shape.reduce((a, b) => a * b, 1);
      return n === 1 || (n === channels && p.shape[p.shape.length - 1] === channels);
    });
    if (!perChannel) return undefined;
    return output(backend, [...x.shape], (y) =>
      native.batchNorm(
        floatsOf(backend, x),
        channels,
        floatsOf(backend, mean),
        floatsOf(backend, variance),
        scale ? floatsOf(backend, scale) : null,
        offset ? floatsOf(backend, offset) : null,
        epsilon(attrs),
        y,
      ),
    );
  },
};

/** The package's training-mode batch norm (gradient in ../gradients.ts), which the trainer runs by name. */
export const BATCH_NORM_TRAINING = 'XferBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'XferBatchNormTrainingGrad';

/** The channel count of a channels-last float32 x whose parameters have one value per channel, or undefined. */
function channelsLast(x: TensorInfo | undefined, ...params: Array<TensorInfo | undefined>): number | undefined {
  if (!x || x.shape.length < 2 || !allFloat32(x, ...params) || x.shape.some((d) => d < 1)) return undefined;
  const channels = x.shape[x.shape.length - 1]!;
  return params.every((p) => p && p.shape.length === 1 && p.shape[0] === channels) ? channels : undefined;
}

/**
 * BatchNormalization in training mode: inputs x, scale, offset; attr varianceEpsilon; outputs y,
 * then the batch mean and biased variance of each channel, which the layer folds into its moving
 * statistics. One pass for the statistics and one to normalise, where tfjs's moments and
 * batchNorm take five, and a gradient of two passes where autodiff through them takes about twenty.
 */
export const batchNormTrainingKernel: NativeKernel = {
  kernelName: BATCH_NORM_TRAINING,
  run({ inputs, backend, attrs }, native) {
    const { x, scale, offset } = inputs;
    const channels = channelsLast(x, scale, offset);
    if (channels === undefined) return undefined;
    const xs = floatsOf(backend, x!);
    return outputs(backend, [[...x!.shape], [channels], [channels]], (y, mean, variance) => {
      native.batchMoments(xs, mean, variance);
      native.batchNorm(xs, channels, mean, variance, floatsOf(backend, scale!), floatsOf(backend, offset!), epsilon(attrs), y);
    });
  },
};

/**
 * The gradient of {@link batchNormTrainingKernel}: inputs dy, x, mean, variance, scale (the
 * forward's) and dmean, dvariance (upstream gradients of its statistics, zeros when nothing used
 * them); outputs dx, dscale, doffset.
 */
export const batchNormTrainingGradKernel: NativeKernel = {
  kernelName: BATCH_NORM_TRAINING_GRAD,
  run({ inputs, backend, attrs }, native) {
    const { dy, x, mean, variance, scale, dmean, dvariance } = inputs;
    const channels = channelsLast(x, mean, variance, scale, dmean, dvariance);
    if (channels === undefined || !dy || !allFloat32(dy)) return undefined;
    const read = (t: TensorInfo | undefined) => floatsOf(backend, t!);
    return outputs(backend, [[...x!.shape], [channels], [channels]], (dx, dscale, doffset) =>
      native.batchNormTrainingGrad(read(dy), read(x), read(mean), read(variance), read(scale), read(dmean), read(dvariance), epsilon(attrs), dx, dscale, doffset),
    );
  },
};
