/**
 * Keras RandomFlip / RandomRotation (+ Rescaling) on one image, with the
 * parameters given explicitly: the same fused native pass the Loader runs on
 * every image, for previews and parity tests.
 */
import {
  validateAugmentOptions,
  validateImage,
  validateRandomAugment,
  type FillMode,
  type FlipMode,
  type Interpolation,
  type Normalize,
} from './augment_options.js';
import { loadBinding } from './binding.js';
import type { FloatImage, Image } from './image.js';
import { MAX_SOURCES } from './limits.js';
import { validateCounter } from './validate.js';

/** Options of {@link augment}. */
export interface AugmentOptions {
  /** Left-right flip (RandomFlip), applied before the rotation. */
  flipHorizontal?: boolean;
  /** Up-down flip, applied before the rotation. */
  flipVertical?: boolean;
  /**
   * Rotation in radians about the image centre, Keras' convention (what
   * RandomRotation draws from [-factor·2π, factor·2π]); default 0.
   */
  angle?: number;
  /** Keras fill_mode; default 'reflect'. */
  fill?: FillMode;
  /** For fill 'constant', in pixel units (0..255), before normalize; default 0. */
  fillValue?: number;
  /** Default 'bilinear'. */
  interpolation?: Interpolation;
  /** out = value * scale + offset; default { scale: 1, offset: 0 }. */
  normalize?: Normalize;
  /** 'uint8' (default; rounded half up and clamped) or 'float32'. */
  dtype?: 'uint8' | 'float32';
}

/**
 * Flips, rotates and normalizes one image exactly as the Loader does (Keras
 * get_rotation_matrix geometry, TF ImageProjectiveTransformV3 fill modes and
 * interpolation). The output has the input's size.
 */
export async function augment(image: Image, options: AugmentOptions & { dtype: 'float32' }): Promise<FloatImage>;
export async function augment(image: Image, options?: AugmentOptions & { dtype?: 'uint8' }): Promise<Image>;
export async function augment(image: Image, options?: AugmentOptions): Promise<Image | FloatImage>;
export async function augment(image: Image, options?: AugmentOptions): Promise<Image | FloatImage> {
  const img = validateImage(image);
  const o = validateAugmentOptions(img, options);
  const buffer = await loadBinding().augment(img.data, o);
  if (o.dtype === 'float32') return { data: new Float32Array(buffer), width: img.width, height: img.height, channels: 3 };
  return { data: new Uint8Array(buffer), width: img.width, height: img.height, channels: 3 };
}

/** The random part of a Loader's `augment` option. */
export interface RandomAugment {
  /** Keras RandomFlip mode; p = 0.5 per axis per image. Default 'none'. */
  flip?: FlipMode;
  /** Keras RandomRotation factor: angle uniform in [-factor·2π, factor·2π]. Default 0 (off). */
  rotation?: number;
  fill?: FillMode;
  fillValue?: number;
  interpolation?: Interpolation;
}

/** The per-image draws of a Loader. */
export interface AugmentDraw {
  flipHorizontal: boolean;
  flipVertical: boolean;
  /** Radians. */
  angle: number;
}

/**
 * The flips and angle a Loader with this `seed` and `augment` gives source
 * `index` in `epoch`. They depend on nothing else (not the thread count, the
 * batch, the order or which images failed), so
 * `augment(resized, { ...augmentParams(...), fill, ... })` reproduces a
 * Loader's output for that image.
 */
export function augmentParams(seed: number, epoch: number, index: number, options: RandomAugment = {}): AugmentDraw {
  const s = validateCounter(seed, 'seed');
  const e = validateCounter(epoch, 'epoch');
  const i = validateCounter(index, 'index');
  return loadBinding().augmentParams({ ...validateRandomAugment(options, 'options'), seed: s, epoch: e, index: i });
}

/** The order (source indices) in which a Loader epoch visits `count` sources. */
export function epochOrder(count: number, options: { shuffle?: boolean; seed?: number; epoch?: number } = {}): Uint32Array {
  const n = validateCounter(count, 'count');
  if (n > MAX_SOURCES) throw new RangeError('count must be below 2^31');
  return loadBinding().epochOrder({
    count: n,
    shuffle: options.shuffle ?? false,
    seed: validateCounter(options.seed ?? 0, 'options.seed'),
    epoch: validateCounter(options.epoch ?? 0, 'options.epoch'),
  });
}
