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

/**
 * A byte range of a file: a zip entry read in place. `deflated` entries are
 * raw DEFLATE (zip method 8) of `length` bytes that inflate to `size` bytes;
 * stored ones (method 0) have `size === length`.
 */
export interface ByteRange {
  path: string;
  offset: number;
  length: number;
  deflated: boolean;
  size: number;
  /** How failures name it (e.g. the zip entry's name); default `path@offset`. */
  name?: string;
}

/** Where an image's encoded bytes come from. */
export type Source = string | Uint8Array | ByteRange;

/** What the addon receives for a byte range: exactly these fields. */
export interface RawByteRange {
  path: string;
  offset: number;
  length: number;
  deflated: boolean;
  size: number;
}

export type RawSource = string | Uint8Array | RawByteRange;

/** Checks one source: a file path, in-memory bytes or a byte range; returns what the addon gets. */
export function validateSource(value: unknown, name: string): RawSource {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'path' in value) {
    const r = value as Record<string, unknown>;
    if (typeof r['path'] !== 'string' || r['path'] === '') {
      throw new TypeError(`${name}.path must be a non-empty file path string, got ${describe(r['path'])}`);
    }
    const offset = integerIn(r['offset'], `${name}.offset`, 0, Number.MAX_SAFE_INTEGER);
    const length = integerIn(r['length'], `${name}.length`, 0, Number.MAX_SAFE_INTEGER);
    const size = integerIn(r['size'], `${name}.size`, 0, Number.MAX_SAFE_INTEGER);
    if (typeof r['deflated'] !== 'boolean') {
      throw new TypeError(`${name}.deflated must be a boolean, got ${describe(r['deflated'])}`);
    }
    if (!r['deflated'] && size !== length) {
      throw new RangeError(`${name}: a stored (not deflated) range must have size === length, got ${size} and ${length}`);
    }
    if (r['name'] !== undefined && typeof r['name'] !== 'string') {
      throw new TypeError(`${name}.name must be a string, got ${describe(r['name'])}`);
    }
    return { path: r['path'], offset, length, deflated: r['deflated'], size };
  }
  throw new TypeError(
    `${name} must be a file path string or a Uint8Array (e.g. a Buffer), or a byte range ` +
      `{ path, offset, length, deflated, size }, got ${describe(value)}`,
  );
}

/** How a source is named in errors: its path, `<buffer #i>`, or a byte range's name (default `path@offset`). */
export function sourceName(source: Source, index?: number): string {
  if (typeof source === 'string') return source;
  if (source instanceof Uint8Array) return index === undefined ? '<buffer>' : `<buffer #${index}>`;
  return source.name ?? `${source.path}@${source.offset}`;
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

// ---------------------------------------------------------------- augment

/** Keras fill_mode: how RandomRotation fills what comes from outside the image. */
export type FillMode = 'reflect' | 'wrap' | 'constant' | 'nearest';
/** Keras interpolation of RandomRotation. */
export type Interpolation = 'bilinear' | 'nearest';

const FILL_CODES: Record<FillMode, number> = { reflect: 0, wrap: 1, constant: 2, nearest: 3 };
const INTERPOLATION_CODES: Record<Interpolation, number> = { bilinear: 0, nearest: 1 };

/** `out = pixel * scale + offset` (Keras Rescaling); e.g. { scale: 1 / 127.5, offset: -1 }. */
export interface Normalize {
  scale: number;
  offset: number;
}

function finite(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${describe(value)}`);
  }
  return value;
}

/** A finite number that float32 holds: the native side computes in float32. */
function float32(value: unknown, name: string): number {
  const v = finite(value, name);
  if (Math.abs(v) > 3.4028234663852886e38) throw new RangeError(`${name} must be within the float32 range, got ${v}`);
  return v;
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new RangeError(`${name} must be ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
}

function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${describe(value)}`);
  return value;
}

function objectOrUndefined(value: unknown, name: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

export function validateNormalize(value: unknown, name: string): Normalize {
  const o = objectOrUndefined(value, name);
  if (!o) return { scale: 1, offset: 0 };
  return { scale: float32(o['scale'], `${name}.scale`), offset: float32(o['offset'], `${name}.offset`) };
}

export interface ValidatedWarp {
  fill: number;
  fillValue: number;
  interpolation: number;
}

function validateWarp(o: Record<string, unknown> | undefined, name: string): ValidatedWarp {
  const fill = oneOf<FillMode>(o?.['fill'], `${name}.fill`, ['reflect', 'wrap', 'constant', 'nearest'], 'reflect');
  const interpolation = oneOf<Interpolation>(o?.['interpolation'], `${name}.interpolation`, ['bilinear', 'nearest'], 'bilinear');
  const fillValue = o?.['fillValue'] === undefined ? 0 : float32(o['fillValue'], `${name}.fillValue`);
  return { fill: FILL_CODES[fill], fillValue, interpolation: INTERPOLATION_CODES[interpolation] };
}

export interface ValidatedAugment extends ValidatedWarp {
  flipHorizontal: boolean;
  flipVertical: boolean;
  angle: number;
  scale: number;
  offset: number;
  float32: boolean;
}

/** Options of the single-image augment(). */
export function validateAugmentOptions(options: unknown): ValidatedAugment {
  const o = objectOrUndefined(options, 'options') ?? {};
  const { scale, offset } = validateNormalize(o['normalize'], 'options.normalize');
  const dtype = oneOf(o['dtype'], 'options.dtype', ['uint8', 'float32'] as const, 'uint8');
  return {
    flipHorizontal: optionalBoolean(o['flipHorizontal'], 'options.flipHorizontal', false),
    flipVertical: optionalBoolean(o['flipVertical'], 'options.flipVertical', false),
    angle: o['angle'] === undefined ? 0 : finite(o['angle'], 'options.angle'),
    ...validateWarp(o, 'options'),
    scale,
    offset,
    float32: dtype === 'float32',
  };
}

/** Keras RandomFlip mode. 'both' is Keras' "horizontal_and_vertical". */
export type FlipMode = 'none' | 'horizontal' | 'vertical' | 'both';

export interface ValidatedRandomAugment extends ValidatedWarp {
  flipHorizontal: boolean;
  flipVertical: boolean;
  rotation: number;
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
  return {
    flipHorizontal: flip === 'horizontal' || flip === 'both',
    flipVertical: flip === 'vertical' || flip === 'both',
    rotation,
    ...validateWarp(o, name),
  };
}

// ----------------------------------------------------------------- loader

/**
 * Where a Loader runs augment + normalize:
 * - 'auto' (default): the CUDA kernel when this build has CUDA, a device is
 *   present and a batch has at least `info().cuda.autoMinBatchPixels` output
 *   pixels (batchSize x width x height); the CPU threads otherwise;
 * - 'cpu': always the CPU threads;
 * - 'cuda': the CUDA kernel, or a CudaUnavailableError from the constructor.
 * Either way the batches hold the same values (see the README's GPU path).
 * `loader.device` says which was chosen and why.
 */
export type Device = 'auto' | 'cpu' | 'cuda';

const DEVICE_CODES: Record<Device, number> = { auto: 0, cpu: 1, cuda: 2 };

export interface ValidatedLoaderConfig {
  sources: RawSource[];
  labels: Int32Array;
  width: number;
  height: number;
  exact: boolean;
  maxPixels: number;
  batchSize: number;
  dropRemainder: boolean;
  shuffle: boolean;
  seed: number;
  flipHorizontal: boolean;
  flipVertical: boolean;
  rotation: number;
  fill: number;
  fillValue: number;
  interpolation: number;
  scale: number;
  offset: number;
  float32: boolean;
  /** 0 none, 1 memory, 2 disk */
  cache: number;
  cachePath?: string;
  prefetch: number;
  threads: number;
  throwOnError: boolean;
  /** 0 auto, 1 cpu, 2 cuda */
  device: number;
}

/** Checks the whole option object of new Loader() and fills in defaults. */
export function validateLoaderOptions(options: unknown, defaultThreads: number): ValidatedLoaderConfig {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object with at least { sources, labels, size, batchSize }, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  const rawSources = o['sources'];
  if (!Array.isArray(rawSources)) {
    throw new TypeError(`options.sources must be an array of paths, Uint8Arrays or byte ranges, got ${describe(rawSources)}`);
  }
  if (rawSources.length > 0x7fffffff) throw new RangeError('options.sources: too many sources');
  const sources = rawSources.map((s, i) => validateSource(s, `options.sources[${i}]`));

  const rawLabels = o['labels'];
  if (
    typeof rawLabels !== 'object' ||
    rawLabels === null ||
    typeof (rawLabels as ArrayLike<unknown>).length !== 'number'
  ) {
    throw new TypeError(`options.labels must be an array (or typed array) of integer labels, got ${describe(rawLabels)}`);
  }
  const labelList = rawLabels as ArrayLike<unknown>;
  if (labelList.length !== sources.length) {
    throw new RangeError(`options.labels has ${labelList.length} entries for ${sources.length} sources`);
  }
  const labels = new Int32Array(labelList.length);
  for (let i = 0; i < labelList.length; i++) {
    labels[i] = integerIn(labelList[i], `options.labels[${i}]`, -2147483648, 2147483647);
  }

  const size = o['size'];
  if (!Array.isArray(size) || size.length !== 2) {
    throw new TypeError(`options.size must be [width, height], got ${describe(size)}`);
  }
  const width = integerIn(size[0], 'options.size[0] (width)', 1, MAX_SIDE);
  const height = integerIn(size[1], 'options.size[1] (height)', 1, MAX_SIDE);
  const mode = oneOf(o['mode'], 'options.mode', ['fast', 'exact'] as const, 'fast');
  let maxPixels: number;
  try {
    maxPixels = validateMaxPixels(o['maxPixels']);
  } catch (err) {
    throw new RangeError(`options.${(err as Error).message}`);
  }
  const batchSize = integerIn(o['batchSize'], 'options.batchSize', 1, 1 << 20);
  const dtype = oneOf(o['dtype'], 'options.dtype', ['float32', 'uint8'] as const, 'float32');
  const slotBytes = batchSize * width * height * 3 * (dtype === 'float32' ? 4 : 1);
  if (slotBytes > 2 ** 32) {
    throw new RangeError(`one batch would take ${slotBytes} bytes (batchSize x height x width x 3 x sample size); the limit is 4 GiB`);
  }
  const augment = validateRandomAugment(o['augment'], 'options.augment');
  const { scale, offset } = validateNormalize(o['normalize'], 'options.normalize');

  let cache = 1;
  let cachePath: string | undefined;
  const c = o['cache'];
  if (c === undefined || c === 'memory') cache = 1;
  else if (c === 'none') cache = 0;
  else if (typeof c === 'object' && c !== null && typeof (c as Record<string, unknown>)['path'] === 'string' && (c as Record<string, unknown>)['path'] !== '') {
    cache = 2;
    cachePath = (c as { path: string }).path;
  } else {
    throw new TypeError(`options.cache must be 'memory', 'none' or { path: string }, got ${describe(c)}`);
  }

  const onError = oneOf(o['onError'], 'options.onError', ['skip', 'throw'] as const, 'skip');
  const device = oneOf<Device>(o['device'], 'options.device', ['auto', 'cpu', 'cuda'], 'auto');
  const threads =
    o['threads'] === undefined ? Math.min(defaultThreads, MAX_THREADS) : integerIn(o['threads'], 'options.threads', 1, MAX_THREADS);
  return {
    sources,
    labels,
    width,
    height,
    exact: mode === 'exact',
    maxPixels,
    batchSize,
    dropRemainder: optionalBoolean(o['dropRemainder'], 'options.dropRemainder', false),
    shuffle: optionalBoolean(o['shuffle'], 'options.shuffle', false),
    seed: o['seed'] === undefined ? 0 : integerIn(o['seed'], 'options.seed', 0, Number.MAX_SAFE_INTEGER),
    ...augment,
    scale,
    offset,
    float32: dtype === 'float32',
    cache,
    ...(cachePath !== undefined ? { cachePath } : {}),
    prefetch: o['prefetch'] === undefined ? 2 : integerIn(o['prefetch'], 'options.prefetch', 0, 1024),
    threads,
    throwOnError: onError === 'throw',
    device: DEVICE_CODES[device],
  };
}

/** An epoch number or seed: a non-negative safe integer. */
export function validateCounter(value: unknown, name: string): number {
  return integerIn(value, name, 0, Number.MAX_SAFE_INTEGER);
}
