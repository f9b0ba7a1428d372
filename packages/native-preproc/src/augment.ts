/**
 * Keras RandomFlip / RandomRotation (+ Rescaling) on one image, with the
 * parameters given explicitly: the same fused native pass the Loader runs on
 * every image, for previews and parity tests.
 */
import { loadBinding } from './binding.js';
import type { FloatImage, Image } from './image.js';
import {
  validateAugmentOptions,
  validateCounter,
  validateRandomAugment,
  type FillMode,
  type FlipMode,
  type Interpolation,
  type Normalize,
} from './options.js';

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

function checkImage(image: unknown): Image {
  const img = image as Partial<Image> | null;
  if (
    typeof img !== 'object' ||
    img === null ||
    !(img.data instanceof Uint8Array) ||
    !Number.isInteger(img.width) ||
    !Number.isInteger(img.height) ||
    (img.width as number) < 1 ||
    (img.height as number) < 1 ||
    (img.width as number) > 65535 ||
    (img.height as number) > 65535
  ) {
    throw new TypeError('image must be { data: Uint8Array, width, height } with packed RGB pixels (as decode() returns)');
  }
  if (img.data.length !== (img.width as number) * (img.height as number) * 3) {
    throw new RangeError(`image.data has ${img.data.length} bytes, expected width * height * 3 = ${(img.width as number) * (img.height as number) * 3}`);
  }
  return img as Image;
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
  const img = checkImage(image);
  const o = validateAugmentOptions(options);
  const buffer = await loadBinding().augment(
    img.data,
    img.width,
    img.height,
    o.flipHorizontal,
    o.flipVertical,
    o.angle,
    o.fill,
    o.fillValue,
    o.interpolation,
    o.scale,
    o.offset,
    o.float32,
  );
  if (o.float32) return { data: new Float32Array(buffer), width: img.width, height: img.height, channels: 3 };
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
  const a = validateRandomAugment(options, 'options');
  return loadBinding().augmentParams(s, e, i, a.flipHorizontal, a.flipVertical, a.rotation);
}

/** The order (source indices) in which a Loader epoch visits `count` sources. */
export function epochOrder(count: number, options: { shuffle?: boolean; seed?: number; epoch?: number } = {}): Uint32Array {
  const n = validateCounter(count, 'count');
  if (n > 0x7fffffff) throw new RangeError('count must be below 2^31');
  return loadBinding().epochOrder(
    n,
    options.shuffle ?? false,
    validateCounter(options.seed ?? 0, 'options.seed'),
    validateCounter(options.epoch ?? 0, 'options.epoch'),
  );
}
