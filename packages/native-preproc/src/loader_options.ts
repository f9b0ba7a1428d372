/** The options of new Loader(): checked, given their defaults, and shaped as the addon's NativeLoader takes them. */
import { validateNormalize, validateRandomAugment, type ValidatedRandomAugment } from './augment_options.js';
import { validateDecodeTarget, type Dtype, type ValidatedDecodeTarget } from './decode_options.js';
import { MAX_BATCH_SIZE, MAX_PREFETCH, MAX_SLOT_BYTES, MAX_SOURCES } from './limits.js';
import { validateSources, type RawSource } from './sources.js';
import { describe, integerIn, oneOf, optionalBoolean, validateCounter } from './validate.js';

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

/** What the addon's NativeLoader receives besides the sources and labels. */
export interface ValidatedLoaderOptions extends ValidatedDecodeTarget, ValidatedRandomAugment {
  batchSize: number;
  dropRemainder: boolean;
  shuffle: boolean;
  seed: number;
  scale: number;
  offset: number;
  dtype: Dtype;
  cache: 'none' | 'memory' | 'disk';
  /** With cache 'disk'. */
  cachePath?: string;
  prefetch: number;
  onError: 'skip' | 'throw';
  device: Device;
}

export interface ValidatedLoaderConfig {
  sources: RawSource[];
  labels: Int32Array;
  options: ValidatedLoaderOptions;
}

function validateLabels(value: unknown, count: number): Int32Array {
  if (typeof value !== 'object' || value === null || typeof (value as ArrayLike<unknown>).length !== 'number') {
    throw new TypeError(`options.labels must be an array (or typed array) of integer labels, got ${describe(value)}`);
  }
  const list = value as ArrayLike<unknown>;
  if (list.length !== count) throw new RangeError(`options.labels has ${list.length} entries for ${count} sources`);
  const labels = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    labels[i] = integerIn(list[i], `options.labels[${i}]`, -2147483648, 2147483647);
  }
  return labels;
}

function validateCache(value: unknown): Pick<ValidatedLoaderOptions, 'cache' | 'cachePath'> {
  if (value === undefined || value === 'memory') return { cache: 'memory' };
  if (value === 'none') return { cache: 'none' };
  const path = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['path'] : undefined;
  if (typeof path === 'string' && path !== '') return { cache: 'disk', cachePath: path };
  throw new TypeError(`options.cache must be 'memory', 'none' or { path: string }, got ${describe(value)}`);
}

/** Checks the whole option object of new Loader() and fills in defaults. */
export function validateLoaderOptions(options: unknown, defaultThreads: number): ValidatedLoaderConfig {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object with at least { sources, labels, size, batchSize }, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  const sources = validateSources(o['sources'], 'options.sources');
  if (sources.length > MAX_SOURCES) throw new RangeError('options.sources: too many sources');
  const labels = validateLabels(o['labels'], sources.length);

  const target = validateDecodeTarget(o, defaultThreads);
  const batchSize = integerIn(o['batchSize'], 'options.batchSize', 1, MAX_BATCH_SIZE);
  const dtype = oneOf<Dtype>(o['dtype'], 'options.dtype', ['float32', 'uint8'], 'float32');
  const slotBytes = batchSize * target.width * target.height * 3 * (dtype === 'float32' ? 4 : 1);
  if (slotBytes > MAX_SLOT_BYTES) {
    throw new RangeError(`one batch would take ${slotBytes} bytes (batchSize x height x width x 3 x sample size); the limit is 4 GiB`);
  }
  const augment = validateRandomAugment(o['augment'], 'options.augment');
  const { scale, offset } = validateNormalize(o['normalize'], 'options.normalize');
  const cache = validateCache(o['cache']);
  return {
    sources,
    labels,
    options: {
      ...target,
      batchSize,
      dropRemainder: optionalBoolean(o['dropRemainder'], 'options.dropRemainder', false),
      shuffle: optionalBoolean(o['shuffle'], 'options.shuffle', false),
      seed: o['seed'] === undefined ? 0 : validateCounter(o['seed'], 'options.seed'),
      ...augment,
      scale,
      offset,
      dtype,
      ...cache,
      prefetch: o['prefetch'] === undefined ? 2 : integerIn(o['prefetch'], 'options.prefetch', 0, MAX_PREFETCH),
      onError: oneOf(o['onError'], 'options.onError', ['skip', 'throw'] as const, 'skip'),
      device: oneOf<Device>(o['device'], 'options.device', ['auto', 'cpu', 'cuda'], 'auto'),
    },
  };
}
