import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, type ConvGeometry } from './conv_geometry.js';

/*
 * Convolution gradients composed from forward ops. The wasm backend has no Conv2DBackpropFilter and
 * no depthwise backprop kernels, its Conv2DBackpropInput is a plain loop, and the cpu backend's are
 * extremely slow; the forms below run on the backends' forward convolutions instead (XNNPACK on
 * wasm) and are exact up to float rounding.
 */

type Tensor4D = tf.Tensor4D;

function padInput(x: Tensor4D, g: ConvGeometry): Tensor4D {
  if (g.padTop + g.padBottom + g.padLeft + g.padRight === 0) return x;
  return tf.pad(x, [[0, 0], [g.padTop, g.padBottom], [g.padLeft, g.padRight], [0, 0]]);
}

/**
 * dL/dfilter of a dense NHWC Conv2D. It is a correlation of the input with dy over the batch, so it
 * is computed as one forward convolution in which the batch is the channel axis and dy is the
 * filter, dilated by the stride.
 */
export function conv2dFilterGrad(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, inC, outC] = filterShape;
    const xp = padInput(x, g);
    const input = tf.transpose(xp, [3, 1, 2, 0]) as Tensor4D; // [C, Hp, Wp, N]
    const filter = tf.transpose(dy, [1, 2, 0, 3]) as Tensor4D; // [OH, OW, N, O]
    const out = tf.conv2d(input, filter, 1, 'valid', 'NHWC', g.strides); // [C, >=kh, >=kw, O]
    const cropped = tf.slice(out, [0, 0, 0, 0], [inC, kh, kw, outC]);
    return tf.transpose(cropped, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * dL/dfilter of a depthwise NHWC convolution. With channel multiplier 1 it is one depthwise
 * convolution in which (batch, channel) pairs are the channels and dy is the filter, dilated by the
 * stride; otherwise one strided slice per tap.
 */
export function depthwiseFilterGrad(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, c, m] = filterShape;
    const [n, oh, ow] = dy.shape;
    const [sh, sw] = g.strides;
    const xp = padInput(x, g);
    if (m === 1) {
      const [, hp, wp] = xp.shape;
      const input = tf.reshape(tf.transpose(xp, [1, 2, 0, 3]), [1, hp, wp, n * c]) as Tensor4D;
      const filter = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * c, 1]) as Tensor4D;
      const out = tf.depthwiseConv2d(input, filter, 1, 'valid', 'NHWC', [sh, sw]); // [1, >=kh, >=kw, N*C]
      const [, outH, outW] = out.shape;
      const perImage = tf.reshape(out, [outH, outW, n, c]);
      return tf.reshape(tf.sum(tf.slice(perImage, [0, 0, 0, 0], [kh, kw, n, c]), 2), [kh, kw, c, 1]);
    }
    const dyByChannel = tf.reshape(dy, [n, oh, ow, c, m]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const window = tf.stridedSlice(xp, [0, i, j, 0], [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c], [1, sh, sw, 1]);
        taps.push(tf.sum(tf.mul(tf.expandDims(window, 4), dyByChannel), [0, 1, 2])); // [C, M]
      }
    }
    return tf.reshape(tf.stack(taps), [kh, kw, c, m]);
  });
}

/**
 * Inserts stride−1 zeros after each of dy's rows and columns. The grid is (s−1) rows/columns
 * longer than the dense gradient grid; fullCorrelationGrid accounts for that tail.
 */
function dilate(dy: Tensor4D, [sh, sw]: [number, number]): Tensor4D {
  let out = dy;
  const [n, oh, ow, k] = dy.shape;
  if (sh > 1) {
    const z = tf.zerosLike(out);
    out = tf.reshape(tf.stack([out, ...Array<Tensor4D>(sh - 1).fill(z)], 2), [n, oh * sh, ow, k]);
  }
  if (sw > 1) {
    const z = tf.zerosLike(out);
    out = tf.reshape(tf.stack([out, ...Array<Tensor4D>(sw - 1).fill(z)], 3), [n, out.shape[1], ow * sw, k]);
  }
  return out;
}

/** Pads (or crops, where negative) the rows and columns of a tensor. */
function padOrCrop(t: Tensor4D, top: number, bottom: number, left: number, right: number): Tensor4D {
  const cropTop = Math.max(-top, 0);
  const cropLeft = Math.max(-left, 0);
  const cropBottom = Math.max(-bottom, 0);
  const cropRight = Math.max(-right, 0);
  let out = t;
  if (cropTop + cropLeft + cropBottom + cropRight > 0) {
    const [n, h, w, c] = out.shape;
    out = tf.slice(out, [0, cropTop, cropLeft, 0], [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c]);
  }
  const pt = Math.max(top, 0);
  const pb = Math.max(bottom, 0);
  const pl = Math.max(left, 0);
  const pr = Math.max(right, 0);
  return pt + pb + pl + pr > 0 ? tf.pad(out, [[0, 0], [pt, pb], [pl, pr], [0, 0]]) : out;
}

/**
 * The dense gradient grid for a full correlation: dy dilated by the stride, then padded so that a
 * stride-1 'valid' convolution with the 180°-rotated filter yields the input's size.
 */
function fullCorrelationGrid(dy: Tensor4D, kernel: [number, number], inShape: readonly number[], g: ConvGeometry): Tensor4D {
  const [kh, kw] = kernel;
  const [sh, sw] = g.strides;
  const grid = dilate(dy, g.strides);
  // The dense grid is (OH−1)·s+1 rows; dilate() left s−1 zero rows beyond it.
  const denseH = grid.shape[1] - (sh - 1);
  const denseW = grid.shape[2] - (sw - 1);
  const top = kh - 1 - g.padTop;
  const left = kw - 1 - g.padLeft;
  const bottom = (inShape[1] ?? 0) + kh - 1 - top - denseH - (sh - 1);
  const right = (inShape[2] ?? 0) + kw - 1 - left - denseW - (sw - 1);
  return padOrCrop(grid, top, bottom, left, right);
}

/** dL/dx of a dense NHWC Conv2D, as a forward convolution (see fullCorrelationGrid). */
export function conv2dInputGrad(
  dy: Tensor4D,
  filter: Tensor4D,
  inShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, inC, outC] = filter.shape;
    if (kh === 1 && kw === 1) {
      // A 1x1 kernel only touches the strided positions: project dy first, then spread it out,
      // which convolves s² times fewer (zero) pixels.
      const projected = tf.conv2d(dy, tf.reshape(tf.transpose(filter, [0, 1, 3, 2]), [1, 1, outC, inC]) as Tensor4D, 1, 'valid');
      return fullCorrelationGrid(projected, [1, 1], inShape, g);
    }
    const grid = fullCorrelationGrid(dy, [kh, kw], inShape, g);
    const rotated = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as Tensor4D;
    return tf.conv2d(grid, rotated, 1, 'valid');
  });
}

/** dL/dx of a depthwise NHWC convolution: the same full correlation, as a depthwise convolution. */
export function depthwiseInputGrad(
  dy: Tensor4D,
  filter: Tensor4D,
  inShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, c, m] = filter.shape;
    const [n, h, w] = inShape;
    const grid = fullCorrelationGrid(dy, [kh, kw], inShape, g);
    const rotated = tf.reverse(filter, [0, 1]);
    // Channel c*M+m of dy pairs with filter[:, :, c, m]; a multiplier-1 depthwise conv over C*M
    // channels followed by a sum over m gives dx.
    const flat = tf.reshape(rotated, [kh, kw, c * m, 1]) as Tensor4D;
    const perOutput = tf.depthwiseConv2d(grid, flat, 1, 'valid');
    return m === 1 ? perOutput : (tf.sum(tf.reshape(perOutput, [n, h, w, c, m]), 4) as Tensor4D);
  });
}

interface BackpropAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | number[][];
  dilations?: number | [number, number];
  dataFormat?: string;
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

type Composite = (inputs: Record<string, tf.Tensor4D>, attrs: BackpropAttrs) => tf.Tensor;

function geometryFor(inShape: readonly number[], filterShape: readonly number[], a: BackpropAttrs): ConvGeometry {
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') {
    throw new Error(`xfer conv kernels: only NHWC is supported, got ${a.dataFormat}`);
  }
  return convGeometry(inShape, [filterShape[0] ?? 1, filterShape[1] ?? 1], a.strides, a.pad, a.dilations);
}

const composites: Record<string, Composite> = {
  Conv2DBackpropInput: ({ dy, filter }, a) => {
    const is = a.inputShape as [number, number, number, number];
    return conv2dInputGrad(dy as Tensor4D, filter as Tensor4D, is, geometryFor(is, (filter as Tensor4D).shape, a));
  },
  Conv2DBackpropFilter: ({ x, dy }, a) => {
    const fs = a.filterShape as [number, number, number, number];
    return conv2dFilterGrad(x as Tensor4D, dy as Tensor4D, fs, geometryFor((x as Tensor4D).shape, fs, a));
  },
  DepthwiseConv2dNativeBackpropFilter: ({ x, dy }, a) => {
    const fs = a.filterShape as [number, number, number, number];
    return depthwiseFilterGrad(x as Tensor4D, dy as Tensor4D, fs, geometryFor((x as Tensor4D).shape, fs, a));
  },
  DepthwiseConv2dNativeBackpropInput: ({ dy, filter }, a) => {
    const is = a.inputShape as [number, number, number, number];
    return depthwiseInputGrad(dy as Tensor4D, filter as Tensor4D, is, geometryFor(is, (filter as Tensor4D).shape, a));
  },
};

/** The backprop kernels registerConvBackpropKernels provides. */
export const CONV_BACKPROP_KERNELS = Object.keys(composites);

/**
 * Registers the convolution backprop kernels above on a backend, replacing any it has. Every
 * gradient path reaches them, including tfjs' fused conv2d, whose gradient calls the kernels
 * directly.
 */
export function registerConvBackpropKernels(backendName: string): void {
  for (const [kernelName, composite] of Object.entries(composites)) {
    if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({
      kernelName,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const engine = tf.engine();
        const refs = backend as unknown as { incRef(id: object): void };
        const result = tf.tidy(() => {
          // Tensor views of the kernel's inputs. Each holds a reference of its own, released when
          // the tidy disposes it, so the inputs' data outlives them.
          const views: Record<string, tf.Tensor4D> = {};
          for (const [k, info] of Object.entries(inputs)) {
            if (!info) continue;
            refs.incRef(info.dataId);
            views[k] = engine.makeTensorFromTensorInfo(info) as tf.Tensor4D;
          }
          return composite(views, attrs as unknown as BackpropAttrs);
        });
        // The kernel's output aliases the composite's result: keep its data alive once the result
        // tensor is released, as backends' own aliasing kernels (Reshape) do.
        refs.incRef(result.dataId);
        const out = { dataId: result.dataId, shape: result.shape, dtype: result.dtype };
        result.dispose();
        return out;
      },
    });
  }
}
