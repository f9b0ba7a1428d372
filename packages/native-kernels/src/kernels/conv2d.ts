import { backend_util } from '@tensorflow/tfjs-core';

import { NATIVE_ACTIVATIONS } from '../binding.js';
import { allFloat32, floatsOf, output, outputs } from '../backend_data.js';
import { convGeometry } from '../conv_geometry.js';
import type { NativeKernel } from './kernel.js';

type Strides = number | [number, number];
type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

interface ConvAttrs {
  strides: Strides;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: Strides;
  dimRoundingMode?: Rounding;
  activation?: string;
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

function info(xShape: number[], filterShape: number[], a: ConvAttrs, depthwise: boolean) {
  const format = backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC');
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    depthwise,
    format,
  );
}

/** The forward pass of Conv2D and DepthwiseConv2dNative, and their fused forms (bias + activation). */
function forward(kernelName: string, depthwise: boolean, fused: boolean): NativeKernel {
  return {
    kernelName,
    run({ inputs, backend, attrs }, native) {
      const { x, filter, bias, preluActivationWeights } = inputs;
      const a = attrs as unknown as ConvAttrs;
      if (!x || !filter || preluActivationWeights || !allFloat32(x, filter, bias)) return undefined;
      const act = NATIVE_ACTIVATIONS[(a.activation ?? 'linear') as keyof typeof NATIVE_ACTIVATIONS];
      if (act === undefined) return undefined;
      const ci = info(x.shape, filter.shape, a, depthwise);
      const g = convGeometry(ci, depthwise);
      // A bias must be per output channel; a scalar bias is left to tfjs's broadcasting add.
      if (!g || (bias && (bias.shape.length !== 1 || bias.shape[0] !== ci.outChannels))) return undefined;
      const biasValues = fused && bias ? floatsOf(backend, bias) : null;
      return output(backend, [...ci.outShape], (y) =>
        native.convForward(g, floatsOf(backend, x), floatsOf(backend, filter), biasValues, act, y),
      );
    },
  };
}

/** dL/dx: Conv2DBackpropInput and DepthwiseConv2dNativeBackpropInput. */
function backpropInput(kernelName: string, depthwise: boolean): NativeKernel {
  return {
    kernelName,
    run({ inputs, backend, attrs }, native) {
      const { dy, filter } = inputs;
      const a = attrs as unknown as ConvAttrs;
      if (!dy || !filter || !a.inputShape || !allFloat32(dy, filter)) return undefined;
      const g = convGeometry(info(a.inputShape, filter.shape, a, depthwise), depthwise);
      if (!g) return undefined;
      return output(backend, [...a.inputShape], (dx) => native.convBackwardData(g, floatsOf(backend, dy), floatsOf(backend, filter), dx));
    },
  };
}

/** dL/dfilter: Conv2DBackpropFilter and DepthwiseConv2dNativeBackpropFilter. */
function backpropFilter(kernelName: string, depthwise: boolean): NativeKernel {
  return {
    kernelName,
    run({ inputs, backend, attrs }, native) {
      const { x, dy } = inputs;
      const a = attrs as unknown as ConvAttrs;
      if (!x || !dy || !a.filterShape || !allFloat32(x, dy)) return undefined;
      const g = convGeometry(info(x.shape, a.filterShape, a, depthwise), depthwise);
      if (!g) return undefined;
      return output(backend, [...a.filterShape], (dw) => native.convBackwardFilter(g, floatsOf(backend, x), floatsOf(backend, dy), dw));
    },
  };
}

/**
 * The package's gradient of a dense convolution whose filter has a per-output-channel scale
 * folded into it (a batch norm in inference mode), which the trainer runs by name. Inputs x, dy,
 * filter, folded (filter · scale) and scale, with the forward convolution's attributes; outputs
 * dx, the gradient of filter (dF · scale) and Σ filter · dF per output channel, dF being the
 * folded filter's gradient. dy is converted once for both convolution gradients, and the
 * scaling and the sum are one pass over the filter (tfjs: three).
 */
export const CONV_BACKPROP_FOLDED = 'XferConv2DBackpropFolded';

const backpropFolded: NativeKernel = {
  kernelName: CONV_BACKPROP_FOLDED,
  run({ inputs, backend, attrs }, native) {
    const { x, dy, filter, folded, scale } = inputs;
    if (!x || !dy || !filter || !folded || !scale || !allFloat32(x, dy, filter, folded, scale)) return undefined;
    const g = convGeometry(info(x.shape, filter.shape, attrs as unknown as ConvAttrs, false), false);
    if (!g) return undefined;
    const [xs, dys, ws, folds, scales] = [x, dy, filter, folded, scale].map((t) => floatsOf(backend, t)) as Float32Array[];
    return outputs(backend, [[...x.shape], [...filter.shape], [filter.shape[3]!]], (dx, dw, wdot) =>
      native.convBackwardFolded(g, xs!, dys!, ws!, folds!, scales!, dx, dw, wdot),
    );
  },
};

/** The dense and depthwise convolution kernels with their gradients. */
export const convKernels: NativeKernel[] = [
  forward('Conv2D', false, false),
  forward('FusedConv2D', false, true),
  backpropInput('Conv2DBackpropInput', false),
  backpropFilter('Conv2DBackpropFilter', false),
  forward('DepthwiseConv2dNative', true, false),
  forward('FusedDepthwiseConv2D', true, true),
  backpropInput('DepthwiseConv2dNativeBackpropInput', true),
  backpropFilter('DepthwiseConv2dNativeBackpropFilter', true),
  backpropFolded,
];
