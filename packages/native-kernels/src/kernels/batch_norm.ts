import { allFloat32, floatsOf, output } from '../backend_data.js';
import type { NativeKernel } from './kernel.js';

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
    const eps = (attrs['varianceEpsilon'] as number | undefined) ?? 0.001;
    return output(backend, [...x.shape], (y) =>
      native.batchNorm(
        floatsOf(backend, x),
        channels,
        floatsOf(backend, mean),
        floatsOf(backend, variance),
        scale ? floatsOf(backend, scale) : null,
        offset ? floatsOf(backend, offset) : null,
        eps,
        y,
      ),
    );
  },
};
