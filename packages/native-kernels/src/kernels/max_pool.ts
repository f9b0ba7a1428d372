import { backend_util } from '@tensorflow/tfjs-core';

import { allFloat32, floatsOf, output } from '../backend_data.js';
import { poolGeometry } from '../conv_geometry.js';
import type { NativeKernel } from './kernel.js';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function geometry(xShape: number[], a: PoolAttrs) {
  const info = backend_util.computePool2DInfo(xShape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  return { info, g: poolGeometry(info) };
}

/** MaxPool; ties go to the first maximum in the window, as in tfjs. */
export const maxPoolKernel: NativeKernel = {
  kernelName: 'MaxPool',
  run({ inputs, backend, attrs }, native) {
    const { x } = inputs;
    if (!x || x.shape.length !== 4 || !allFloat32(x)) return undefined;
    const { info, g } = geometry(x.shape, attrs as unknown as PoolAttrs);
    if (!g) return undefined;
    return output(backend, [...info.outShape], (y) => native.maxPool(g, floatsOf(backend, x), y));
  },
};

/** MaxPoolGrad: each window's gradient goes to the position of its (first) maximum. */
export const maxPoolGradKernel: NativeKernel = {
  kernelName: 'MaxPoolGrad',
  run({ inputs, backend, attrs }, native) {
    const { dy, input } = inputs;
    if (!dy || !input || input.shape.length !== 4 || !allFloat32(dy, input)) return undefined;
    const { g } = geometry(input.shape, attrs as unknown as PoolAttrs);
    if (!g) return undefined;
    return output(backend, [...input.shape], (dx) => native.maxPoolGrad(g, floatsOf(backend, input), floatsOf(backend, dy), dx));
  },
};
