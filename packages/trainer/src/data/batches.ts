import * as tf from '@tensorflow/tfjs-core';
import type { DecodedSplit } from './decoded_split.js';
import { Rng } from './rng.js';

/** One training or evaluation batch: raw pixels in [0, 255] as float32 NHWC, labels as [n, 1]. */
export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  size: number;
}

export interface BatchOptions {
  batchSize: number;
  /** Shuffle with this seed (per epoch: pass a seed derived from the epoch). */
  shuffleSeed?: number;
  /** Random horizontal flip with p = 0.5 (Keras RandomFlip("horizontal")), drawn from this seed. */
  flipSeed?: number;
}

/**
 * Yields the split's batches as tensors the caller disposes. Pixels stay uint8 in the cache and
 * become float32 only per batch.
 */
export function* batches(split: DecodedSplit, options: BatchOptions): Generator<Batch> {
  const [w, h] = split.size;
  const per = w * h * 3;
  const row = w * 3;
  const order = options.shuffleSeed === undefined ? null : new Rng(options.shuffleSeed).permutation(split.count);
  const flips = options.flipSeed === undefined ? null : new Rng(options.flipSeed);
  for (let start = 0; start < split.count; start += options.batchSize) {
    const n = Math.min(options.batchSize, split.count - start);
    const x = new Float32Array(n * per);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const idx = order ? order[start + i]! : start + i;
      const src = split.pixels.subarray(idx * per, (idx + 1) * per);
      const dst = i * per;
      if (flips && flips.next() < 0.5) {
        for (let r = 0; r < h; r++) {
          const o = r * row;
          for (let c = 0; c < w; c++) {
            const s = o + (w - 1 - c) * 3;
            const d = dst + o + c * 3;
            x[d] = src[s]!;
            x[d + 1] = src[s + 1]!;
            x[d + 2] = src[s + 2]!;
          }
        }
      } else {
        for (let k = 0; k < per; k++) x[dst + k] = src[k]!;
      }
      y[i] = split.labels[idx]!;
    }
    yield { x: tf.tensor4d(x, [n, h, w, 3]), y: tf.tensor2d(y, [n, 1]), size: n };
  }
}
