import { allFloat32, floatsOf, output } from '../backend_data.js';
import type { NativeKernel } from './kernel.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * BatchMatMul of [..., m, k] and [..., k, n] (either transposed), where the batch shapes are
 * equal or one operand has a batch of 1. Other batch broadcasts are left to tfjs.
 */
export const batchMatMulKernel: NativeKernel = {
  kernelName: 'BatchMatMul',
  run({ inputs, backend, attrs }, native) {
    const { a, b } = inputs;
    if (!a || !b || a.shape.length < 2 || b.shape.length < 2 || !allFloat32(a, b)) return undefined;
    const ta = Boolean(attrs['transposeA']);
    const tb = Boolean(attrs['transposeB']);
    const [a1, a2] = a.shape.slice(-2) as [number, number];
    const [b1, b2] = b.shape.slice(-2) as [number, number];
    const [m, k] = ta ? [a2, a1] : [a1, a2];
    const [k2, n] = tb ? [b2, b1] : [b1, b2];
    const batchA = a.shape.slice(0, -2);
    const batchB = b.shape.slice(0, -2);
    const same = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
    if (k !== k2 || !(same || size(batchA) === 1 || size(batchB) === 1) || m * n * k === 0) return undefined;
    const outBatch = size(batchA) >= size(batchB) ? batchA : batchB;
    const shape = [size(batchA), size(batchB), m, k, n, ta ? 1 : 0, tb ? 1 : 0];
    return output(backend, [...outBatch, m, n], (o) => native.batchMatMul(shape, floatsOf(backend, a), floatsOf(backend, b), o));
  },
};
