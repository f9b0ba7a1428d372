import { backend_util, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

import { allFloat32, floatsOf, output } from '../backend_data.js';
import type { NativeKernel } from './kernel.js';

/**
 * True when `shape`, broadcast to `out`, repeats with the period of its own size: it is a
 * scalar, or equal to `out`'s trailing dimensions after any leading 1s. Those are the
 * broadcasts training uses (bias, per-channel batch-norm terms, optimizer scalars).
 */
function trailing(shape: readonly number[], out: readonly number[]): boolean {
  const lead = out.length - shape.length;
  let first = shape.findIndex((d) => d !== 1);
  if (first < 0) return true;
  for (; first < shape.length; first++) if (shape[first] !== out[first + lead]) return false;
  return true;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function binaryKernel(kernelName: string, op: number): NativeKernel {
  return {
    kernelName,
    run({ inputs, backend }, native) {
      const { a, b } = inputs;
      if (!a || !b || !allFloat32(a, b)) return undefined;
      const out = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      if (size(out) === 0 || !trailing(a.shape, out) || !trailing(b.shape, out)) return undefined;
      return output(backend, out, (o) => native.binary(op, floatsOf(backend, a), floatsOf(backend, b), o));
    },
  };
}

function unaryKernel(kernelName: string, op: number): NativeKernel {
  return {
    kernelName,
    run({ inputs, backend, attrs }, native) {
      const { x } = inputs;
      if (!x || !allFloat32(x) || size(x.shape) === 0) return undefined;
      const alpha = (attrs['alpha'] as number | undefined) ?? 0;
      return output(backend, [...x.shape], (o) => native.unary(op, floatsOf(backend, x), alpha, o));
    },
  };
}

/** The sorted, non-negative axes of a reduction's `axis` attribute (all axes when it is absent). */
function reductionAxes(axisAttr: unknown, rank: number): number[] {
  if (axisAttr == null) return [...Array(rank).keys()];
  return [axisAttr as number | number[]].flat().map((a) => (a < 0 ? a + rank : a)).sort((p, q) => p - q);
}

/** The reduced shape, with the reduced axes kept as 1s when `keepDims` asks for it. */
function reducedShape(shape: readonly number[], axes: number[], keepDims: unknown): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/**
 * A reduction over a contiguous run of x's axes, as [outer, reduce, inner] block sizes and the
 * output shape (`leading` when the run starts at axis 0; no axes reduce nothing); undefined for
 * axes that are not one run (left to tfjs).
 */
function contiguousReduction(x: TensorInfo, attrs: NamedAttrMap) {
  const axes = reductionAxes(attrs['axis'], x.shape.length);
  const first = axes[0] ?? 0;
  const last = axes.at(-1) ?? -1;
  if (!axes.every((a, i) => a === first + i)) return undefined;
  return {
    leading: first === 0,
    outer: size(x.shape.slice(0, first)),
    reduce: size(x.shape.slice(first, last + 1)),
    inner: size(x.shape.slice(last + 1)),
    shape: reducedShape(x.shape, axes, attrs['keepDims']),
  };
}

/** Sum over leading axes (e.g. [0, 1, 2] of NHWC: per-channel sums) or over all axes. */
const sumKernel: NativeKernel = {
  kernelName: 'Sum',
  run({ inputs, backend, attrs }, native) {
    const { x } = inputs;
    if (!x || !allFloat32(x) || size(x.shape) === 0) return undefined;
    const r = contiguousReduction(x, attrs);
    if (!r?.leading) return undefined;
    return output(backend, r.shape, (o) => native.sumRows(floatsOf(backend, x), r.reduce, r.inner, o));
  },
};

/**
 * Mean over a contiguous run of axes: [1, 2] of NHWC is the global average pool, [0, 1, 2] the
 * batch statistics of BatchNorm in training mode. tfjs's own transposes the reduced axes last in
 * JavaScript first.
 */
const meanKernel: NativeKernel = {
  kernelName: 'Mean',
  run({ inputs, backend, attrs }, native) {
    const { x } = inputs;
    if (!x || !allFloat32(x) || size(x.shape) === 0) return undefined;
    const r = contiguousReduction(x, attrs);
    if (!r) return undefined;
    return output(backend, r.shape, (o) => native.meanAxes(floatsOf(backend, x), r.outer, r.reduce, r.inner, o));
  },
};

/** Elementwise kernels that dominate a training step once the convolutions are native. */
export const elementwiseKernels: NativeKernel[] = [
  binaryKernel('Add', 0),
  binaryKernel('Sub', 1),
  binaryKernel('Multiply', 2),
  binaryKernel('RealDiv', 3),
  unaryKernel('Relu', 0),
  unaryKernel('Step', 1),
  unaryKernel('Sqrt', 2),
  unaryKernel('Square', 3),
  sumKernel,
  meanKernel,
];

