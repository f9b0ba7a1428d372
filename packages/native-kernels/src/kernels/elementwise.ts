import { backend_util, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

import { allFloat32, floatsOf, output } from '../backend_data.js';
import type { NativeKernel } from './kernel.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * For an operand of `shape` broadcast to `out`: the size of out's axes after the one run of axes
 * it repeats along, so that its rows of that size repeat over the run; out's size when it does
 * not repeat; undefined when it repeats along two separate runs (left to tfjs). That covers the
 * broadcasts training uses: scalars, per-channel terms ([C] against NHWC) and per-image ones
 * ([N, 1, 1, C] against NHWC, the gradient of the global average pool).
 */
function repeatedRowSize(shape: readonly number[], out: readonly number[]): number | undefined {
  const lead = out.length - shape.length;
  const repeats = out.map((d, i) => (i < lead ? 1 : shape[i - lead]!) !== d);
  const first = repeats.indexOf(true);
  if (first < 0) return size(out);
  const last = repeats.lastIndexOf(true);
  // An axis of size 1 inside the run changes nothing in memory order.
  for (let i = first; i <= last; i++) if (!repeats[i] && out[i] !== 1) return undefined;
  return size(out.slice(last + 1));
}

function binaryKernel(kernelName: string, op: number): NativeKernel {
  return {
    kernelName,
    run({ inputs, backend }, native) {
      const { a, b } = inputs;
      if (!a || !b || !allFloat32(a, b)) return undefined;
      const out = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const n = size(out);
      // The operand that repeats, if either does; the native loop needs the other at full size.
      const part = size(a.shape) === n ? b : a;
      const inner = repeatedRowSize(part.shape, out);
      if (n === 0 || inner === undefined || Math.max(size(a.shape), size(b.shape)) !== n) return undefined;
      return output(backend, out, (o) => native.binary(op, floatsOf(backend, a), floatsOf(backend, b), inner, o));
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

