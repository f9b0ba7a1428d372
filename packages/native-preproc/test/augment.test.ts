import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';

import { augment, augmentParams, decodeResizeBatch, epochOrder, type Image } from '../src/index.js';
import { corpusPath, corpusSample, maxAbsDiff, rng } from './helpers.js';

type Fill = 'reflect' | 'wrap' | 'constant' | 'nearest';
type Interp = 'bilinear' | 'nearest';

/**
 * Keras get_rotation_matrix(angles, image_height, image_width), restated here
 * independently of the C++: output (x, y) -> input (a0 x + a1 y + a2, b0 x + b1 y + b2).
 */
function kerasRotation(angle: number, w: number, h: number, centre: 'keras' | 'half' = 'keras'): number[] {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  if (centre === 'half') {
    // A plausible mistake: rotating about (w/2, h/2) instead of ((w-1)/2, (h-1)/2).
    const cx = w / 2;
    const cy = h / 2;
    return [c, -s, cx - (c * cx - s * cy), s, c, cy - (s * cx + c * cy), 0, 0];
  }
  const xOffset = (w - 1 - (c * (w - 1) - s * (h - 1))) / 2;
  const yOffset = (h - 1 - (s * (w - 1) + c * (h - 1))) / 2;
  return [c, -s, xOffset, s, c, yOffset, 0, 0];
}

let ready: Promise<boolean> | undefined;
async function tfRun(fn: () => tf.Tensor): Promise<Float32Array> {
  ready ??= tf.setBackend('cpu');
  await ready;
  return tf.tidy(() => fn().dataSync() as Float32Array);
}

function imageTensor(img: Image): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(img.data), [1, img.height, img.width, 3], 'float32');
}

/** tf.image.transform (tfjs-backend-cpu's Transform kernel) with the given inverse matrix. */
function tfTransform(img: Image, t: number[], interpolation: Interp, fill: Fill, fillValue = 0, flip = false) {
  return tfRun(() => {
    let x = imageTensor(img);
    if (flip) x = tf.image.flipLeftRight(x);
    return tf.image.transform(x, tf.tensor2d([t], [1, 8], 'float32'), interpolation, fill, fillValue);
  });
}

/** Share of values within `tol` of the reference. */
function agreement(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-3): number {
  expect(a.length).toBe(b.length);
  let ok = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) <= tol) ok++;
  return ok / a.length;
}

/** A photo (smooth areas and edges) and uniform noise (the worst case for any misplaced sample). */
let photo: Image;
let noise: Image;

beforeAll(async () => {
  const e = corpusSample(1, 400 * 400)[0]!;
  // 61x47: odd, non-square, so swapped axes or off-by-one centres show.
  const r = await decodeResizeBatch([corpusPath(e)], { size: [61, 47], mode: 'exact' });
  photo = { data: r.data as Uint8Array, width: 61, height: 47, channels: 3 };
  const next = rng(11);
  const n = new Uint8Array(40 * 32 * 3);
  for (let i = 0; i < n.length; i++) n[i] = Math.floor(next() * 256);
  noise = { data: n, width: 40, height: 32, channels: 3 };
});

describe('augment() rotation equals tfjs tf.image.transform with the Keras rotation matrix', () => {
  const fills: Fill[] = ['reflect', 'wrap', 'constant', 'nearest'];
  const interps: Interp[] = ['bilinear', 'nearest'];
  const angles = [0.3, -1.1, 2.6, Math.PI / 2];

  for (const fill of fills) {
    for (const interpolation of interps) {
      it(`${fill} fill, ${interpolation}: >= 99.9% of values within 1e-3 at angles ${angles.map((a) => a.toFixed(2)).join(', ')}`, async () => {
        for (const img of [photo, noise]) {
          for (const angle of angles) {
            const fillValue = fill === 'constant' ? 37.5 : 0;
            const ours = await augment(img, { angle, fill, fillValue, interpolation, dtype: 'float32' });
            const ref = await tfTransform(img, kerasRotation(angle, img.width, img.height), interpolation, fill, fillValue);
            // Both evaluate the sample coordinates in double from the same
            // float32 matrix, so every sample uses the same taps; the weighted
            // sum is float32 here and double in tfjs (<= ~3e-5 apart). A value
            // could only be further off where a coordinate sits within rounding
            // of an integer, so floor() (or rounding, for nearest) picks the
            // neighbouring pixel: an edge-rounding case. None occurs in practice
            // (measured: 100% within 1e-3), but 0.1% is allowed for it.
            const share = agreement(ours.data, ref);
            expect(share, `${img.width}x${img.height} angle ${angle}`).toBeGreaterThanOrEqual(0.999);
          }
        }
      });
    }
  }

  it('the comparison can fail: wrong sign, wrong centre and another fill mode all disagree', async () => {
    const angle = 0.3;
    const ours = await augment(photo, { angle, dtype: 'float32' });
    const mirrored = await tfTransform(photo, kerasRotation(-angle, 61, 47), 'bilinear', 'reflect');
    const offCentre = await tfTransform(photo, kerasRotation(angle, 61, 47, 'half'), 'bilinear', 'reflect');
    const wrapped = await tfTransform(photo, kerasRotation(angle, 61, 47), 'bilinear', 'wrap');
    expect(agreement(ours.data, mirrored)).toBeLessThan(0.5);
    expect(agreement(ours.data, offCentre)).toBeLessThan(0.5);
    expect(agreement(ours.data, wrapped)).toBeLessThan(0.95);
  });

  it('flip then rotate (Keras RandomFlip before RandomRotation) equals tfjs flipLeftRight then transform', async () => {
    for (const fill of ['reflect', 'constant'] as const) {
      const angle = -0.45;
      const ours = await augment(photo, { angle, flipHorizontal: true, fill, dtype: 'float32' });
      const ref = await tfTransform(photo, kerasRotation(angle, 61, 47), 'bilinear', fill, 0, true);
      expect(agreement(ours.data, ref)).toBeGreaterThanOrEqual(0.999);
    }
  });

  it('normalization is fused: (value * scale + offset) of the same sample', async () => {
    const angle = 1.0;
    const ref = await tfTransform(photo, kerasRotation(angle, 61, 47), 'bilinear', 'reflect');
    const ours = await augment(photo, { angle, normalize: { scale: 1 / 127.5, offset: -1 }, dtype: 'float32' });
    const expected = Float32Array.from(ref, (v) => v / 127.5 - 1);
    expect(agreement(ours.data, expected, 1e-5)).toBeGreaterThanOrEqual(0.999);
    expect(Math.min(...ours.data)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...ours.data)).toBeLessThanOrEqual(1);
  });

  it('uint8 output is the float32 output rounded to nearest', async () => {
    const [f, u] = await Promise.all([
      augment(noise, { angle: 0.7, dtype: 'float32' }),
      augment(noise, { angle: 0.7 }),
    ]);
    expect(u.data).toBeInstanceOf(Uint8Array);
    expect(maxAbsDiff(u.data, f.data)).toBeLessThanOrEqual(0.5 + 1e-4);
  });
});

describe('augment() flips are exact', () => {
  it('horizontal equals tf.image.flipLeftRight, vertical a row reversal, both of them', async () => {
    const h = await augment(photo, { flipHorizontal: true, dtype: 'float32' });
    const ref = await tfRun(() => tf.image.flipLeftRight(imageTensor(photo)));
    expect(maxAbsDiff(h.data, ref)).toBe(0);

    const v = await augment(photo, { flipVertical: true });
    const b = await augment(photo, { flipVertical: true, flipHorizontal: true });
    const row = photo.width * 3;
    for (let y = 0; y < photo.height; y++) {
      const src = photo.data.subarray((photo.height - 1 - y) * row, (photo.height - y) * row);
      expect(Buffer.from(v.data.subarray(y * row, (y + 1) * row)).equals(Buffer.from(src))).toBe(true);
      for (let x = 0; x < photo.width; x++) {
        for (let c = 0; c < 3; c++) expect(b.data[y * row + 3 * x + c]).toBe(src[3 * (photo.width - 1 - x) + c]);
      }
    }
  });

  it('no flip and angle 0 is the identity (uint8 bytes, float32 values)', async () => {
    const u = await augment(photo);
    expect(Buffer.from(u.data).equals(Buffer.from(photo.data))).toBe(true);
    const f = await augment(photo, { dtype: 'float32' });
    expect(maxAbsDiff(f.data, photo.data)).toBe(0);
  });

  it('rejects bad options', async () => {
    await expect(augment(photo, { fill: 'mirror' as never })).rejects.toThrow(/fill must be 'reflect', 'wrap', 'constant', 'nearest'/);
    await expect(augment(photo, { angle: Number.NaN })).rejects.toThrow(/angle must be a finite number/);
    await expect(augment({ ...photo, width: 60 })).rejects.toThrow(/width \* height \* 3/);
    // Beyond float32, the native float maths would be undefined behaviour.
    await expect(augment(photo, { normalize: { scale: 1e300, offset: 0 } })).rejects.toThrow(/normalize.scale must be within the float32 range/);
    await expect(augment(photo, { fill: 'constant', fillValue: -1e39 })).rejects.toThrow(/fillValue must be within the float32 range/);
  });
});

// ---- the Loader's random draws ------------------------------------------------

const M64 = (1n << 64n) - 1n;
/** splitmix64's output function, restated with BigInt from the published algorithm. */
function mix(z: bigint): bigint {
  z = (z + 0x9e3779b97f4a7c15n) & M64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}
function key(seed: number, epoch: number, index: number, stream: number): bigint {
  return mix(mix(mix(mix(BigInt(seed)) ^ BigInt(epoch)) ^ BigInt(index)) ^ BigInt(stream));
}
const unit = (k: bigint) => Number(k >> 11n) * 2 ** -53;

describe('augmentParams(): Keras draw semantics, counter-based', () => {
  it('matches the documented formula (BigInt restatement) bit for bit', () => {
    for (const [seed, epoch, index] of [
      [0, 0, 0],
      [42, 3, 17],
      [2 ** 40 + 5, 1000, 123456],
    ] as const) {
      const p = augmentParams(seed, epoch, index, { flip: 'both', rotation: 0.1 });
      const f = 0.1 * 2 * Math.PI;
      expect(p.flipHorizontal).toBe(unit(key(seed, epoch, index, 1)) < 0.5);
      expect(p.flipVertical).toBe(unit(key(seed, epoch, index, 2)) < 0.5);
      expect(p.angle).toBe(-f + unit(key(seed, epoch, index, 3)) * (2 * f));
    }
  });

  it('over 20000 images: angles within ±factor·2π and uniform, flips ≈ 50% per axis and independent', () => {
    const n = 20000;
    const factor = 0.1;
    const bound = factor * 2 * Math.PI;
    const bins = new Array<number>(10).fill(0);
    let h = 0;
    let v = 0;
    let both = 0;
    for (let i = 0; i < n; i++) {
      const p = augmentParams(7, 2, i, { flip: 'both', rotation: factor });
      expect(Math.abs(p.angle)).toBeLessThanOrEqual(bound);
      bins[Math.min(9, Math.floor(((p.angle + bound) / (2 * bound)) * 10))]!++;
      if (p.flipHorizontal) h++;
      if (p.flipVertical) v++;
      if (p.flipHorizontal && p.flipVertical) both++;
    }
    // Chi-square with 9 degrees of freedom: 27.9 is the 0.1% critical value.
    const chi2 = bins.reduce((s, b) => s + (b - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9);
    for (const rate of [h / n, v / n]) expect(Math.abs(rate - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(both / n - 0.25)).toBeLessThan(0.02);
  });

  it('flip modes and rotation 0 switch draws off; seed and epoch change them', () => {
    const none = augmentParams(1, 0, 3);
    expect(none).toEqual({ flipHorizontal: false, flipVertical: false, angle: 0 });
    let hOnly = 0;
    for (let i = 0; i < 200; i++) {
      const p = augmentParams(1, 0, i, { flip: 'horizontal' });
      expect(p.flipVertical).toBe(false);
      expect(p.angle).toBe(0);
      if (p.flipHorizontal) hOnly++;
    }
    expect(hOnly).toBeGreaterThan(60);
    const a = augmentParams(1, 0, 5, { rotation: 0.2 }).angle;
    expect(augmentParams(1, 1, 5, { rotation: 0.2 }).angle).not.toBe(a);
    expect(augmentParams(2, 0, 5, { rotation: 0.2 }).angle).not.toBe(a);
    expect(augmentParams(1, 0, 5, { rotation: 0.2 }).angle).toBe(a);
  });

  it('epochOrder: a seeded Fisher-Yates permutation (BigInt restatement), identity without shuffle', () => {
    const n = 50;
    const order = epochOrder(n, { shuffle: true, seed: 9, epoch: 4 });
    const expected = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i >= 1; i--) {
      const j = Number(key(9, 4, i, 4) % BigInt(i + 1));
      [expected[i], expected[j]] = [expected[j]!, expected[i]!];
    }
    expect(Array.from(order)).toEqual(expected);
    expect(Array.from(epochOrder(5))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(epochOrder(n, { shuffle: true, seed: 9, epoch: 5 }))).not.toEqual(expected);
  });
});
