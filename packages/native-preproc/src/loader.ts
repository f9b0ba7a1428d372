/**
 * The training data loader: native threads decode, resize and cache every
 * image once, then each epoch runs only the fused augment + normalize pass
 * into a ring of preallocated batch slots. One native call per batch.
 */
import type { RandomAugment } from './augment.js';
import type { Normalize } from './augment_options.js';
import { defaultThreads, loadBinding, type NativeLoaderHandle, type RawNextResult } from './binding.js';
import { validateDecodeTarget } from './decode_options.js';
import { CudaUnavailableError, DecodeError, toDecodeErrorCode, type SkippedSource } from './errors.js';
import { validateLoaderOptions, type Device } from './loader_options.js';
import { sourceName, validateSources, type Source } from './sources.js';
import { validateCounter } from './validate.js';

/** Options of {@link Loader}. */
export interface LoaderOptions {
  /** Paths, in-memory bytes (borrowed until close(): do not modify or transfer them) or byte ranges (zip entries). */
  sources: ReadonlyArray<Source>;
  /** One integer label per source. */
  labels: ArrayLike<number>;
  /** Output size [width, height]. */
  size: [width: number, height: number];
  /** 'fast' (default: DCT-scaled JPEG decode) or 'exact' (full decode, TF2 resize parity); see decodeResizeBatch. */
  mode?: 'fast' | 'exact';
  /** Decompression-bomb guard; default 100e6. */
  maxPixels?: number;
  batchSize: number;
  /** Drop the last, smaller batch of an epoch; default false. */
  dropRemainder?: boolean;
  /** Shuffle each epoch with a permutation seeded by (seed, epoch); default false. */
  shuffle?: boolean;
  /** Seeds the order and every per-image draw; default 0. */
  seed?: number;
  /** Keras RandomFlip + RandomRotation, drawn per image from (seed, epoch, source index). */
  augment?: RandomAugment;
  /** out = pixel * scale + offset, fused with the augmentation; default { scale: 1, offset: 0 }. */
  normalize?: Normalize;
  /** Batch sample type; default 'float32'. uint8 rounds half up and clamps. */
  dtype?: 'float32' | 'uint8';
  /**
   * Where resized uint8 images are kept between epochs:
   * - 'memory' (default): N x H x W x 3 bytes, filled during the first epoch;
   * - { path }: a memory-mapped file, reused by later Loaders (and processes)
   *   with the same sources, size, mode and maxPixels, rebuilt otherwise. One
   *   Loader at a time may use a file (it is locked);
   * - 'none': decode every epoch.
   */
  cache?: 'memory' | 'none' | { path: string };
  /** Batches prepared ahead of the consumer; the ring has prefetch + 1 slots. Default 2. */
  prefetch?: number;
  /** Worker threads of this loader (its own, not shared); default info().threads. */
  threads?: number;
  /**
   * 'skip' (default): failed images are left out, later images fill the
   * batches, and stats().skipped lists them. 'throw': the epoch rejects with
   * a DecodeError at the first failed image (in epoch order), after the
   * batches before it.
   */
  onError?: 'skip' | 'throw';
  /**
   * Where augment + normalize run: 'auto' (default), 'cpu' or 'cuda' (see
   * {@link Device}). On CUDA the ring slots are pinned memory and each batch
   * is also kept in device memory. Read `loader.device` for the choice.
   */
  device?: Device;
}

/** Where a Loader runs augment + normalize, and why (e.g. "auto: CUDA is not available (...)"). */
export interface DeviceChoice {
  kind: 'cpu' | 'cuda';
  reason: string;
}

/** One batch: views of a ring slot, valid until release(). */
export interface Batch {
  /** NHWC, size x height x width x 3, a view of a 64-byte-aligned ring slot. */
  data: Float32Array | Uint8Array;
  /** Label of each image (a copy). */
  labels: Int32Array;
  /** Source index of each image (a copy). */
  indices: Int32Array;
  /** Images in this batch: batchSize, except possibly the last of an epoch. */
  size: number;
  /** Hands the slot back to the loader. Idempotent. */
  release(): void;
}

export interface LoaderStats {
  /** Images delivered in batches, all epochs. */
  images: number;
  /** Images read + decoded + resized so far (cache misses). 0 more per epoch once cached. */
  decoded: number;
  skipped: SkippedSource[];
  /**
   * Milliseconds. read, decode, resize and augment are summed over the worker
   * threads (so they can exceed wall time); gpu is the CUDA path's per-batch
   * copies and kernel as the workers waited for them (0 on the CPU path;
   * there augment only stages images for the GPU); wait is how long next()
   * calls waited for a batch (the consumer starved).
   */
  perStageMs: { read: number; decode: number; resize: number; augment: number; gpu: number; wait: number };
  /** Current (or last) epoch: images delivered / seconds from its start to its last batch. */
  imagesPerSec: number;
  /** Images whose resized pixels are in the cache. */
  cachedImages: number;
  /** Cache storage plus one state byte per image (the file size for a disk cache); 0 for cache 'none'. */
  cacheBytes: number;
  /** A disk cache file matched and was reused. */
  cacheReused: boolean;
  /** Ring slots: held = handed out and not released. */
  ring: { slots: number; free: number; held: number; slotBytes: number; memory: string };
  threads: number;
}

/**
 * ```ts
 * const loader = new Loader({ sources, labels, size: [150, 150], batchSize: 32, shuffle: true,
 *   augment: { flip: 'horizontal', rotation: 0.1 }, normalize: { scale: 1 / 127.5, offset: -1 } });
 * for (let e = 0; e < epochs; e++) {
 *   for await (const b of loader.epoch(e)) { train(b.data, b.labels); b.release(); }
 * }
 * await loader.close();
 * ```
 * A batch is valid until its release(), or until its epoch's loop ends
 * (finishes, `break`s or throws: batches it yielded are released then) or a
 * new epoch() starts; after that its slot is refilled. (After close() the
 * data stays as it was.) A consumer that holds every slot without releasing
 * gets an error from next() instead of a hang.
 */
export class Loader {
  readonly batchSize: number;
  readonly size: [width: number, height: number];
  readonly dtype: 'float32' | 'uint8';
  /** Where augment + normalize run for this loader, and why. */
  readonly device: DeviceChoice;
  readonly #native: NativeLoaderHandle;
  readonly #sources: ReadonlyArray<Source>;
  readonly #imageSamples: number;
  readonly #slotBuffers: Array<ArrayBuffer | undefined> = [];
  /** Batches handed out and not released, by slot. */
  readonly #held = new Map<number, { release(): void }>();
  #closing: Promise<void> | undefined;

  constructor(options: LoaderOptions) {
    const { sources, labels, options: o } = validateLoaderOptions(options, defaultThreads());
    try {
      this.#native = new (loadBinding().NativeLoader)(sources, labels, o);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'CUDA_UNAVAILABLE') throw new CudaUnavailableError((err as Error).message);
      throw err;
    }
    this.device = this.#native.device();
    this.#sources = [...options.sources];
    this.batchSize = o.batchSize;
    this.size = [o.width, o.height];
    this.dtype = o.dtype;
    this.#imageSamples = o.width * o.height * 3;
  }

  /**
   * The batches of epoch `epoch` (which seeds its shuffle and its draws).
   * Starting an epoch abandons any epoch still in progress (its iterator
   * then throws) and releases its batches.
   */
  epoch(epoch: number): AsyncIterableIterator<Batch> {
    const e = validateCounter(epoch, 'epoch');
    if (this.#closing) throw new Error('Loader is closed');
    return this.#run(e);
  }

  async *#run(epoch: number): AsyncGenerator<Batch, void, undefined> {
    if (this.#closing) return;
    this.#releaseAll();
    const generation = this.#native.startEpoch(epoch);
    const mine = new Set<{ release(): void }>();
    try {
      while (true) {
        const r: RawNextResult = await this.#native.next(generation);
        switch (r.kind) {
          case 'batch': {
            const batch = this.#batch(r);
            mine.add(batch);
            yield batch;
            break;
          }
          case 'end':
          case 'closed':
            return;
          case 'superseded':
            throw new Error(`epoch ${epoch} was abandoned: loader.epoch() started another epoch before it finished`);
          case 'error': {
            const source = sourceName(this.#sources[r.index]!, r.index);
            throw new DecodeError(toDecodeErrorCode(r.code), source, r.message);
          }
          case 'fatal':
          case 'stuck':
            throw new Error(r.message);
        }
      }
    } finally {
      for (const batch of mine) batch.release();
    }
  }

  #batch(r: Extract<RawNextResult, { kind: 'batch' }>): Batch {
    let buffer = this.#slotBuffers[r.slot];
    if (!buffer) {
      buffer = this.#native.slotBuffer(r.slot);
      this.#slotBuffers[r.slot] = buffer;
    }
    const n = r.count * this.#imageSamples;
    const data = this.dtype === 'float32' ? new Float32Array(buffer, 0, n) : new Uint8Array(buffer, 0, n);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      if (this.#held.get(r.slot) === handle) this.#held.delete(r.slot);
      this.#native.release(r.slot);
    };
    const handle = { release };
    this.#held.set(r.slot, handle);
    return { data, labels: r.labels, indices: r.indices, size: r.count, release };
  }

  #releaseAll(): void {
    for (const h of [...this.#held.values()]) h.release();
  }

  /**
   * Batches per epoch. Exact once every source's outcome is known (after
   * the first complete epoch, or at once when a disk cache is reused); until
   * then an upper bound that assumes unseen images decode (with onError
   * 'skip', failures can only lower it). The same for every epoch: the
   * argument is accepted for symmetry with epoch().
   */
  length(_epoch?: number): number {
    return this.#native.length().batches;
  }

  /** Whether length() is exact yet. */
  lengthKnown(): boolean {
    return this.#native.length().known;
  }

  stats(): LoaderStats {
    const s = this.#native.stats();
    return {
      images: s.images,
      decoded: s.decoded,
      skipped: s.skipped.map((k) => {
        const code = toDecodeErrorCode(k.code);
        return { source: sourceName(this.#sources[k.index]!, k.index), index: k.index, code, reason: `${code}: ${k.message}` };
      }),
      perStageMs: { ...s.perStageMs },
      imagesPerSec: s.imagesPerSec,
      cachedImages: s.cachedImages,
      cacheBytes: s.cacheBytes,
      cacheReused: s.cacheReused,
      ring: { ...s.ring },
      threads: s.threads,
    };
  }

  /**
   * Stops the threads (after the image each is on) and closes the cache.
   * Safe at any time, also during prefetch or with batches outstanding;
   * idempotent. A pending epoch iterator then ends. Batches handed out are
   * released, but their memory and contents stay readable until collected
   * (nothing is produced after close).
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      // The native close stops production at once (then joins off-thread),
      // so releasing afterwards cannot let a held slot be overwritten.
      const closed = this.#native.close();
      this.#releaseAll();
      await closed;
    })();
    return this.#closing;
  }
}

/**
 * Reads and decodes every source as a Loader would (same DCT scale for
 * `size` in 'fast' mode), with no resize, cache, augmentation or batching:
 * the throughput limit the loader is measured against. Runs on the shared
 * pool, like decodeResizeBatch.
 */
export async function benchDecodeOnly(
  sources: ReadonlyArray<Source>,
  options: { size: [width: number, height: number]; threads?: number; mode?: 'fast' | 'exact'; maxPixels?: number },
): Promise<{ ms: number; images: number; failures: number; decodedPixels: number }> {
  const list = validateSources(sources, 'sources');
  return loadBinding().benchDecodeOnly(list, validateDecodeTarget(options, defaultThreads()));
}
