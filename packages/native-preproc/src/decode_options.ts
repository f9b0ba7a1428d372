/**
 * The options of every decode: output size, mode, the pixel guard and the
 * thread count, which decodeResizeBatch, benchDecodeOnly and a Loader share,
 * and the rest of decodeResizeBatch's.
 */
import { DEFAULT_MAX_PIXELS, MAX_SIDE, MAX_THREADS } from './limits.js';
import { describe, integerIn } from './validate.js';

/** 'fast': DCT-scaled JPEG decode; 'exact': full decode, TF2 resize parity. */
export type DecodeMode = 'fast' | 'exact';
/** Sample type of an output: uint8 or float32. */
export type Dtype = 'uint8' | 'float32';

/** What the addon decodes to, as it receives it. */
export interface ValidatedDecodeTarget {
  width: number;
  height: number;
  mode: DecodeMode;
  maxPixels: number;
  threads: number;
}

export interface ValidatedBatchOptions extends ValidatedDecodeTarget {
  dtype: Dtype;
}

/** Checks `maxPixels` (an integer from 1 up to Number.MAX_SAFE_INTEGER). */
export function validateMaxPixels(value: unknown, name = 'maxPixels'): number {
  if (value === undefined) return DEFAULT_MAX_PIXELS;
  return integerIn(value, name, 1, Number.MAX_SAFE_INTEGER);
}

/** One of two names, or `fallback` when undefined. */
function either<T extends string>(value: unknown, name: string, [a, b]: readonly [T, T], fallback: T): T {
  if (value === undefined) return fallback;
  if (value === a || value === b) return value as T;
  throw new RangeError(`${name} must be '${a}' or '${b}', got ${describe(value)}`);
}

/** The decode options of an option object (named `options`): size, mode, maxPixels, threads. */
export function validateDecodeTarget(options: unknown, defaultThreads: number): ValidatedDecodeTarget {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object with at least { size: [width, height] }, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  const size = o['size'];
  if (!Array.isArray(size) || size.length !== 2) {
    throw new TypeError(`options.size must be [width, height], got ${describe(size)}`);
  }
  return {
    width: integerIn(size[0], 'options.size[0] (width)', 1, MAX_SIDE),
    height: integerIn(size[1], 'options.size[1] (height)', 1, MAX_SIDE),
    mode: either(o['mode'], 'options.mode', ['fast', 'exact'], 'fast'),
    maxPixels: validateMaxPixels(o['maxPixels'], 'options.maxPixels'),
    threads:
      o['threads'] === undefined
        ? Math.min(defaultThreads, MAX_THREADS)
        : integerIn(o['threads'], 'options.threads', 1, MAX_THREADS),
  };
}

/** Checks the whole option object of decodeResizeBatch and fills in defaults. */
export function validateBatchOptions(options: unknown, defaultThreads: number): ValidatedBatchOptions {
  const target = validateDecodeTarget(options, defaultThreads);
  const dtype = (options as Record<string, unknown>)['dtype'];
  return { ...target, dtype: either(dtype, 'options.dtype', ['uint8', 'float32'], 'uint8') };
}
