import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { layerReaders } from './layer_readers.js';

/**
 * @xfer/native-kernels' gradient of a convolution with a folded per-channel scale, present where
 * the package is registered on the backend: the fused path runs there only.
 */
const FOLDED_GRADIENT = 'XferConv2DBackpropFolded';

type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

interface ConvLayer {
  call: Call;
  kernel?: tfl.LayerVariable;
  pointwiseKernel?: tfl.LayerVariable;
  depthwiseKernel?: tfl.LayerVariable;
  bias: tfl.LayerVariable | null;
  strides: number[];
  padding: 'same' | 'valid';
}

interface BatchNormLayer {
  call: Call;
  epsilon: number;
  gamma: tfl.LayerVariable;
  beta: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
  xferInference?: boolean;
}

/**
 * y = BN(conv(x, w) + bias) with the batch norm in inference mode, as one convolution with the
 * batch norm folded into its filter and bias, and a gradient that never touches an
 * activation-sized array beyond the convolution's own two backward passes and one sum of dy:
 * with s = gamma / sqrt(var + eps) and z = conv(x, w) + bias,
 *   dx = conv_backprop_input(dy, w·s), dw = conv_backprop_filter(x, dy)·s, dbias = Σdy·s,
 *   dbeta = Σdy, dgamma = (Σ_k w[k]·conv_backprop_filter(x, dy)[k] + (bias − mean)·Σdy) / sqrt(var + eps),
 * the last because Σ_pixels dy·z = Σ_k w[k]·Σ_pixels dy·x_patch[k]. Unfused, tfjs runs a batch-norm
 * pass forward and two activation-sized passes backward (dy·s and Σdy·(z − mean)). The first three
 * come from one native call (FOLDED_GRADIENT), which reads dy once for both convolution gradients.
 */
function foldedConv(x: tf.Tensor4D, w: tf.Tensor4D, bias: tf.Tensor1D, strides: [number, number], pad: 'same' | 'valid', bn: BatchNormLayer): tf.Tensor4D {
  const mean = bn.movingMean.read();
  const rs = tf.rsqrt(tf.add(bn.movingVariance.read(), bn.epsilon));
  const op = tf.customGrad((input, filter, gamma, beta, b, save) => {
    const s = tf.mul(gamma as tf.Tensor1D, rs);
    const folded = tf.mul(filter as tf.Tensor4D, s) as tf.Tensor4D;
    const value = tf.fused.conv2d({ x: input as tf.Tensor4D, filter: folded, strides, pad, bias: tf.add(tf.mul(tf.sub(b as tf.Tensor1D, mean), s), beta as tf.Tensor1D) });
    // Kept for the gradient, which runs after the caller's tidy has released everything else.
    (save as tf.GradSaveFunc)([input as tf.Tensor, filter as tf.Tensor, folded, s, b as tf.Tensor, rs]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, wf, sc, bs, r] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const attrs = { strides, pad, dataFormat: 'NHWC', dilations: 1 };
        const [dx, dw, wdot] = tf.engine().runKernel(FOLDED_GRADIENT, { x: xs, dy, filter: ws, folded: wf, scale: sc }, attrs) as tf.Tensor[];
        const dsum = tf.sum(dy, [0, 1, 2]);
        const dgamma = tf.mul(tf.add(wdot!, tf.mul(tf.sub(bs, mean), dsum)), r);
        return [dx!, dw!, dgamma, dsum, tf.mul(dsum, sc)];
      },
    };
  });
  return op(x, w, bn.gamma.read(), bn.beta.read(), bias) as tf.Tensor4D;
}

/**
 * In a base whose batch norms run in inference mode (the recipe's pretrained base), makes each
 * Conv2D or SeparableConv2D followed only by a BatchNormalization compute both as one folded
 * convolution while the cpu backend has the native kernels (`foldedConv`): the conv layer returns
 * the normalised output and its batch norm passes it on. Elsewhere, or for a batch norm that
 * trains on batch statistics, both layers run as they were. Returns the number of pairs fused.
 */
export function fuseConvBatchNorm(base: tfl.LayersModel): number {
  const readers = layerReaders(base);
  let fused = 0;
  for (const layer of base.layers) {
    if (layer.getClassName() !== 'BatchNormalization' || (layer as unknown as { xferFused?: boolean }).xferFused) continue;
    const source = layer.inboundNodes[0]?.inboundLayers[0];
    const kind = source?.getClassName();
    const c = source?.getConfig() as Record<string, unknown> | undefined;
    const bnConfig = layer.getConfig() as Record<string, unknown>;
    const plain =
      c !== undefined && (kind === 'Conv2D' || kind === 'SeparableConv2D') && readers.get(source!.name) === 1 && c['activation'] === 'linear' &&
      c['dataFormat'] === 'channelsLast' && [c['dilationRate']].flat().every((d) => d === 1) && (kind === 'SeparableConv2D' ? (c['depthMultiplier'] ?? 1) === 1 : true) &&
      bnConfig['center'] === true && bnConfig['scale'] === true && [-1, 3].includes(bnConfig['axis'] as number);
    if (!plain) continue;
    const conv = source as unknown as ConvLayer;
    const bn = layer as unknown as BatchNormLayer;
    const active = () => bn.xferInference === true && tf.getKernel(FOLDED_GRADIENT, tf.getBackend()) !== undefined;
    const convCall = conv.call.bind(conv);
    const bnCall = bn.call.bind(bn);
    conv.call = (inputs, kwargs) => {
      if (!active()) return convCall(inputs, kwargs);
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
        const strides = conv.strides as [number, number];
        const bias = (conv.bias?.read() ?? tf.zerosLike(bn.beta.read())) as tf.Tensor1D;
        if (kind === 'Conv2D') return foldedConv(x, conv.kernel!.read() as tf.Tensor4D, bias, strides, conv.padding, bn);
        // Separable: the depthwise part as tfjs-layers runs it, then the pointwise conv folded.
        const depthwise = tf.depthwiseConv2d(x, conv.depthwiseKernel!.read() as tf.Tensor4D, strides, conv.padding);
        return foldedConv(depthwise, conv.pointwiseKernel!.read() as tf.Tensor4D, bias, [1, 1], 'valid', bn);
      });
    };
    bn.call = (inputs, kwargs) => (active() ? (Array.isArray(inputs) ? inputs[0]! : inputs) : bnCall(inputs, kwargs));
    (layer as unknown as { xferFused?: boolean }).xferFused = true;
    fused++;
  }
  return fused;
}
