import * as tf from '@tensorflow/tfjs-core';
import { Loader, type RandomAugment, type Source } from '@xfer/native-preproc';
import { sourceName, type Example, type ExampleSource, type SkippedImage } from '../datasets/example.js';

/** One batch of a split as tensors: raw [0, 255] pixels NHWC and labels [n, 1]. Call release() once they are disposed. */
export interface SplitBatch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  size: number;
  /** The index into the split's examples of each image of the batch. */
  indices: Int32Array;
  release(): void;
}

/** How a split is loaded. Training splits shuffle and augment; every other use does neither. */
export interface SplitLoaderOptions {
  /** [width, height] the images are resized to. */
  size: [width: number, height: number];
  batchSize: number;
  /** Seeds the Loader's shuffles and augmentation draws (see train/seeds.ts); per epoch from (seed, epoch). */
  seed?: number;
  /** Visit the examples in a new order every epoch. */
  shuffle?: boolean;
  /** Keras RandomFlip + RandomRotation, drawn per image from (seed, epoch, index). */
  augment?: RandomAugment;
  threads?: number;
  /** Batches prepared ahead (tf.data's prefetch). */
  prefetch?: number;
  /**
   * Where resized images are kept between epochs: 'memory' (default), 'none' (decode every
   * epoch: for a split read once), or a cache file path.
   */
  cache?: 'memory' | 'none' | { path: string };
  /** Each image the Loader leaves out (it goes on without it), once. */
  onSkip?: (skipped: SkippedImage) => void;
}

/** What the native Loader reads for a source: a path, or the zip entry's byte range in its archive. */
function nativeSource(s: ExampleSource): Source {
  if (s.kind === 'file') return s.path;
  return { path: s.archive, ...s.range, name: sourceName(s) };
}

/**
 * A split of a dataset through the native Loader: its threads read, decode and resize each image
 * once into a uint8 cache, then every epoch (optionally shuffled and augmented) is normalized into
 * float32 batches in native threads. The one way xfer turns examples into batches: training,
 * validation, test, the feature cache's views, evaluate, predict, preview and the demo pretraining.
 */
export class SplitLoader {
  readonly batchSize: number;
  readonly #loader: Loader;
  readonly #size: [number, number];
  readonly #onSkip: ((s: SkippedImage) => void) | undefined;
  #reported = 0;

  constructor(
    readonly examples: readonly Example[],
    o: SplitLoaderOptions,
  ) {
    this.batchSize = o.batchSize;
    this.#size = o.size;
    this.#onSkip = o.onSkip;
    this.#loader = new Loader({
      sources: examples.map((e) => nativeSource(e.source)),
      labels: examples.map((e) => e.label),
      size: o.size,
      batchSize: o.batchSize,
      shuffle: o.shuffle ?? false,
      seed: o.seed ?? 0,
      augment: o.augment,
      threads: o.threads,
      prefetch: o.prefetch,
      cache: o.cache ?? 'memory',
      dtype: 'float32',
      onError: 'skip',
    });
  }

  /** Images per epoch: exact once an epoch has seen every image, an upper bound before. */
  get count(): number {
    return this.examples.length - this.#loader.stats().skipped.length;
  }

  /** Batches per epoch, as {@link count}. */
  get batches(): number {
    return this.#loader.length();
  }

  /** The images left out so far, as SkippedImage. */
  get skipped(): SkippedImage[] {
    return this.#loader.stats().skipped.map((s) => ({ source: s.source, reason: s.reason }));
  }

  /**
   * The batches of `epoch`, which with the seed fixes the order and the augmentation draws. The
   * tensors are the caller's to dispose; release() each batch after that.
   */
  async *epoch(epoch: number): AsyncGenerator<SplitBatch> {
    const [w, h] = this.#size;
    try {
      for await (const b of this.#loader.epoch(epoch)) {
        // tfjs may keep a reference to the batch's memory (cpu backend): the slot is released
        // only after the tensors are disposed.
        const x = tf.tensor4d(b.data as Float32Array, [b.size, h, w, 3]);
        const y = tf.tensor2d(Float32Array.from(b.labels), [b.size, 1]);
        yield { x, y, size: b.size, indices: b.indices, release: () => b.release() };
      }
    } finally {
      this.#reportSkips();
    }
  }

  #reportSkips(): void {
    const skipped = this.skipped;
    for (const s of skipped.slice(this.#reported)) this.#onSkip?.(s);
    this.#reported = skipped.length;
  }

  /** Stops the Loader's threads; safe at any time, and more than once. */
  close(): Promise<void> {
    return this.#loader.close();
  }
}
