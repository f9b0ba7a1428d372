import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { convGeometry } from '../../src/backend/conv_geometry.js';
import {
  CONV_BACKPROP_KERNELS,
  conv2dFilterGrad,
  conv2dInputGrad,
  depthwiseFilterGrad,
  depthwiseInputGrad,
} from '../../src/backend/conv_gradients.js';

// The reference is tfjs's own cpu kernel for each backprop, captured before xfer replaces it, run
// on the same random inputs.
const stock = new Map(
  CONV_BACKPROP_KERNELS.map((name) => [name, tf.getKernel(name, 'cpu')?.kernelFunc] as const),
);

function reference(kernel: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): Float32Array {
  const fn = stock.get(kernel);
  if (!fn) throw new Error(`no stock cpu kernel ${kernel}`);
  const info = fn({ inputs: inputs as never, backend: tf.findBackend('cpu')!, attrs: attrs as never }) as tf.TensorInfo;
  const t = tf.engine().makeTensorFromTensorInfo(info);
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

function maxRelErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return err / Math.max(scale, 1e-6);
}

// Shapes as Xception uses them: block1 (3x3 s2 valid, 3x3 s1 valid), residual 1x1 s2 same,
// separable 3x3 s1 same, plus odd sizes where 'same' pads asymmetrically.
const convCases = [
  { x: [2, 17, 17, 3], k: [3, 3, 3, 8], s: 2, pad: 'valid' },
  { x: [2, 15, 15, 8], k: [3, 3, 8, 16], s: 1, pad: 'valid' },
  { x: [2, 14, 14, 8], k: [1, 1, 8, 16], s: 2, pad: 'same' },
  { x: [2, 13, 11, 4], k: [3, 3, 4, 6], s: 2, pad: 'same' },
  { x: [3, 9, 9, 5], k: [3, 3, 5, 7], s: 1, pad: 'same' },
] as const;

const depthwiseCases = [
  { x: [2, 12, 12, 8], k: [3, 3, 8, 1], s: 1, pad: 'same' },
  { x: [2, 13, 13, 6], k: [3, 3, 6, 1], s: 2, pad: 'same' },
  { x: [2, 10, 11, 4], k: [3, 3, 4, 2], s: 2, pad: 'valid' },
  { x: [1, 9, 9, 3], k: [5, 5, 3, 1], s: 1, pad: 'same' },
] as const;

function outShape(x: readonly number[], k: readonly number[], s: number, pad: string, outC: number): number[] {
  const [n, h, w] = x as [number, number, number];
  const oh = pad === 'same' ? Math.ceil(h / s) : Math.ceil((h - (k[0] ?? 1) + 1) / s);
  const ow = pad === 'same' ? Math.ceil(w / s) : Math.ceil((w - (k[1] ?? 1) + 1) / s);
  return [n, oh, ow, outC];
}

describe('convolution gradients composed from forward ops', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    for (const c of convCases) {
      it(`Conv2D filter and input grads on ${backend}: x ${c.x} k ${c.k} s${c.s} ${c.pad}`, async () => {
        await tf.setBackend('cpu');
        const xData = tf.randomNormal(c.x as unknown as number[], 0, 1, 'float32', 1).dataSync() as Float32Array;
        const dyShape = outShape(c.x, c.k, c.s, c.pad, c.k[3]);
        const dyData = tf.randomNormal(dyShape, 0, 1, 'float32', 2).dataSync() as Float32Array;
        const fData = tf.randomNormal(c.k as unknown as number[], 0, 1, 'float32', 6).dataSync() as Float32Array;
        const want = reference('Conv2DBackpropFilter', { x: tf.tensor(xData, [...c.x]), dy: tf.tensor(dyData, dyShape) }, {
          strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: c.k,
        });
        const wantInput = reference('Conv2DBackpropInput', { dy: tf.tensor(dyData, dyShape), filter: tf.tensor(fData, [...c.k]) }, {
          strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x,
        });
        await pickBackend(backend);
        const x = tf.tensor4d(xData, [...c.x] as [number, number, number, number]);
        const dy = tf.tensor4d(dyData, dyShape as [number, number, number, number]);
        const g = convGeometry(x.shape, [c.k[0], c.k[1]], c.s, c.pad, 1);
        const got = conv2dFilterGrad(x, dy, [...c.k] as [number, number, number, number], g);
        expect(got.shape).toEqual([...c.k]);
        expect(maxRelErr(got.dataSync() as Float32Array, want)).toBeLessThan(1e-4);
        const f = tf.tensor4d(fData, [...c.k] as [number, number, number, number]);
        const gotInput = conv2dInputGrad(dy, f, [...c.x] as [number, number, number, number], g);
        expect(gotInput.shape).toEqual([...c.x]);
        expect(maxRelErr(gotInput.dataSync() as Float32Array, wantInput)).toBeLessThan(1e-4);
        tf.dispose([x, dy, f, got, gotInput]);
      });
    }
    for (const c of depthwiseCases) {
      it(`depthwise grads on ${backend}: x ${c.x} k ${c.k} s${c.s} ${c.pad}`, async () => {
        await tf.setBackend('cpu');
        const xData = tf.randomNormal(c.x as unknown as number[], 0, 1, 'float32', 3).dataSync() as Float32Array;
        const fData = tf.randomNormal(c.k as unknown as number[], 0, 1, 'float32', 4).dataSync() as Float32Array;
        const dyShape = outShape(c.x, c.k, c.s, c.pad, c.k[2] * c.k[3]);
        const dyData = tf.randomNormal(dyShape, 0, 1, 'float32', 5).dataSync() as Float32Array;
        const attrs = { strides: c.s, pad: c.pad, dilations: 1 };
        const wantFilter = reference('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor(xData, [...c.x]), dy: tf.tensor(dyData, dyShape) }, {
          ...attrs, filterShape: c.k,
        });
        const wantInput = reference('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor(dyData, dyShape), filter: tf.tensor(fData, [...c.k]) }, {
          ...attrs, inputShape: c.x,
        });
        await pickBackend(backend);
        const x = tf.tensor4d(xData, [...c.x] as [number, number, number, number]);
        const f = tf.tensor4d(fData, [...c.k] as [number, number, number, number]);
        const dy = tf.tensor4d(dyData, dyShape as [number, number, number, number]);
        const g = convGeometry(x.shape, [c.k[0], c.k[1]], c.s, c.pad, 1);
        const gotFilter = depthwiseFilterGrad(x, dy, [...c.k] as [number, number, number, number], g);
        const gotInput = depthwiseInputGrad(dy, f, [...c.x] as [number, number, number, number], g);
        expect(maxRelErr(gotFilter.dataSync() as Float32Array, wantFilter)).toBeLessThan(1e-4);
        expect(gotInput.shape).toEqual([...c.x]);
        expect(maxRelErr(gotInput.dataSync() as Float32Array, wantInput)).toBeLessThan(1e-4);
        tf.dispose([x, f, dy, gotFilter, gotInput]);
      });
    }
  }

  it('training gradients reach the registered kernels, through fused conv2d too, without leaking tensors', async () => {
    await pickBackend('wasm');
    const x = tf.randomNormal([2, 11, 11, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 8) as tf.Tensor4D;
    const b = tf.randomNormal([4], 0, 1, 'float32', 9) as tf.Tensor1D;
    // tfjs-layers convolves through tf.fused.conv2d, whose gradient calls Conv2DBackpropFilter.
    const loss = (f: tf.Tensor4D) => tf.sum(tf.square(tf.fused.conv2d({ x, filter: f, strides: 2, pad: 'same', bias: b })));
    const before = tf.memory().numTensors;
    const got = tf.grad(loss)(w);
    const gotData = got.dataSync() as Float32Array;
    got.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // d/dw sum(y^2) = corr(x, 2y), checked with the cpu backend's own Conv2DBackpropFilter.
    const xs = x.dataSync() as Float32Array;
    const ws = w.dataSync() as Float32Array;
    const bs = b.dataSync() as Float32Array;
    await tf.setBackend('cpu');
    const xc = tf.tensor4d(xs, [2, 11, 11, 3]);
    const y = tf.add(tf.conv2d(xc, tf.tensor4d(ws, [3, 3, 3, 4]), 2, 'same'), tf.tensor1d(bs));
    const want = reference('Conv2DBackpropFilter', { x: xc, dy: tf.mul(y, 2) }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] });
    expect(maxRelErr(gotData, want)).toBeLessThan(1e-4);
  });
});
