/**
 * The options of augment(), of a Loader's random augmentation and of
 * normalization: Keras RandomFlip / RandomRotation / Rescaling.
 */
import type { Dtype } from './decode_options.js';
import type { Image } from './image.js';
import { MAX_IMAGE_SIDE } from './limits.js';
import { finite, float32, objectOrUndefined, oneOf, optionalBoolean } from './validate.js';

/** Keras fill_mode: how RandomRotation fills what comes from outside the image. */
export type FillMode = 'reflect' | 'wrap' | 'constant' | 'nearest';
/** Keras interpolation of RandomRotation. */
export type Interpolation = 'bilinear' | 'nearest';
/** Keras RandomFlip mode. 'both' is Keras' "horizontal_and_vertical". */
export type FlipMode = 'none' | 'horizontal' | 'vertical' | 'both';

/** `out = pixel * scale + offset` (Keras Rescaling); e.g. { scale: 1 / 127.5, offset: -1 }. */
export interface Normalize {
  scale: number;
  offset: number;
}

export interface ValidatedWarp {
  fill: FillMode;
  fillValue: number;
  interpolation: Interpolation;
}

/** What the addon's augment() receives with the pixels. */
export interface ValidatedAugment extends ValidatedWarp, Normalize {
  width: number;
  height: number;
  flipHorizontal: boolean;
  flipVertical: boolean;
  angle: number;
  dtype: Dtype;
}

export interface ValidatedRandomAugment extends ValidatedWarp {
  flip: FlipMode;
  rotation: number;
}

export function validateNormalize(value: unknown, name: string): Normalize {
  const o = objectOrUndefined(value, name);
  if (!o) return { scale: 1, offset: 0 };
  return { scale: float32(o['scale'], `${name}.scale`), offset: float32(o['offset'], `${name}.offset`) };
}

function validateWarp(o: Record<string, unknown> | undefined, name: string): ValidatedWarp {
  const fill = oneOf<FillMode>(o?.['fill'], `${name}.fill`, ['reflect', 'wrap', 'constant', 'nearest'], 'reflect');
  const interpolation = oneOf<Interpolation>(o?.['interpolation'], `${name}.interpolation`, ['bilinear', 'nearest'], 'bilinear');
  const fillValue = o?.['fillValue'] === undefined ? 0 : float32(o['fillValue'], `${name}.fillValue`);
  return { fill, fillValue, interpolation };
}

/** A decoded image as augment() takes it: packed RGB of the size it claims. */
export function validateImage(image: unknown): Image {
  const img = image as Partial<Image> | null;
  if (
    typeof img !== 'object' ||
    img === null ||
    !(img.data instanceof Uint8Array) ||
    !Number.isInteger(img.width) ||
    !Number.isInteger(img.height) ||
    (img.width as number) < 1 ||
    (img.height as number) < 1 ||
    (img.width as number) > MAX_IMAGE_SIDE ||
    (img.height as number) > MAX_IMAGE_SIDE
  ) {
    throw new TypeError('image must be { data: Uint8Array, width, height } with packed RGB pixels (as decode() returns)');
  }
  if (img.data.length !== (img.width as number) * (img.height as number) * 3) {
    throw new RangeError(`image.data has ${img.data.length} bytes, expected width * height * 3 = ${(img.width as number) * (img.height as number) * 3}`);
  }
  return img as Image;
}

/** Options of the single-image augment() of `image`. */
export function validateAugmentOptions(image: Image, options: unknown): ValidatedAugment {
  const o = objectOrUndefined(options, 'options') ?? {};
  const { scale, offset } = validateNormalize(o['normalize'], 'options.normalize');
  const dtype = oneOf(o['dtype'], 'options.dtype', ['uint8', 'float32'] as const, 'uint8');
  return {
    width: image.width,
    height: image.height,
    flipHorizontal: optionalBoolean(o['flipHorizontal'], 'options.flipHorizontal', false),
    flipVertical: optionalBoolean(o['flipVertical'], 'options.flipVertical', false),
    angle: o['angle'] === undefined ? 0 : finite(o['angle'], 'options.angle'),
    ...validateWarp(o, 'options'),
    scale,
    offset,
    dtype,
  };
}

export function validateRandomAugment(value: unknown, name: string): ValidatedRandomAugment {
  const o = objectOrUndefined(value, name);
  const flip = oneOf<FlipMode>(o?.['flip'], `${name}.flip`, ['none', 'horizontal', 'vertical', 'both'], 'none');
  let rotation = 0;
  if (o?.['rotation'] !== undefined) {
    rotation = finite(o['rotation'], `${name}.rotation`);
    if (rotation < 0) {
      throw new RangeError(`${name}.rotation is a factor of 2π (Keras RandomRotation) and must be >= 0, got ${rotation}`);
    }
  }
  return { flip, rotation, ...validateWarp(o, name) };
}
