/**
 * Validation and defaults for the public options. The addon receives only the
 * plain values produced here (the sharp pattern: JS owns the option surface,
 * C++ gets a flat, already-checked struct).
 */

/** Largest accepted output side, per dimension. */
export const MAX_SIDE = 16384;
/** Upper bound on worker threads for one batch. */
export const MAX_THREADS = 256;
/** Default decompression-bomb guard: 100 megapixels. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

export interface ValidatedBatchOptions {
  width: number;
  height: number;
  exact: boolean;
  float32: boolean;
  threads: number;
  maxPixels: number;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function integerIn(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** Checks `maxPixels` (an integer from 1 up to Number.MAX_SAFE_INTEGER). */
export function validateMaxPixels(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_PIXELS;
  return integerIn(value, 'maxPixels', 1, Number.MAX_SAFE_INTEGER);
}

/** Checks one source: a file path or in-memory bytes. */
export function validateSource(value: unknown, name: string): string | Uint8Array {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  throw new TypeError(`${name} must be a file path string or a Uint8Array (e.g. a Buffer), got ${describe(value)}`);
}

/** Checks the whole option object of decodeResizeBatch and fills in defaults. */
export function validateBatchOptions(options: unknown, defaultThreads: number): ValidatedBatchOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object with at least { size: [width, height] }, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  const size = o['size'];
  if (!Array.isArray(size) || size.length !== 2) {
    throw new TypeError(`options.size must be [width, height], got ${describe(size)}`);
  }
  const width = integerIn(size[0], 'options.size[0] (width)', 1, MAX_SIDE);
  const height = integerIn(size[1], 'options.size[1] (height)', 1, MAX_SIDE);

  const mode = o['mode'] ?? 'fast';
  if (mode !== 'fast' && mode !== 'exact') {
    throw new RangeError(`options.mode must be 'fast' or 'exact', got ${describe(mode)}`);
  }
  const dtype = o['dtype'] ?? 'uint8';
  if (dtype !== 'uint8' && dtype !== 'float32') {
    throw new RangeError(`options.dtype must be 'uint8' or 'float32', got ${describe(dtype)}`);
  }
  const threads =
    o['threads'] === undefined ? Math.min(defaultThreads, MAX_THREADS) : integerIn(o['threads'], 'options.threads', 1, MAX_THREADS);
  let maxPixels: number;
  try {
    maxPixels = validateMaxPixels(o['maxPixels']);
  } catch (err) {
    throw new RangeError(`options.${(err as Error).message}`);
  }
  return { width, height, exact: mode === 'exact', float32: dtype === 'float32', threads, maxPixels };
}
