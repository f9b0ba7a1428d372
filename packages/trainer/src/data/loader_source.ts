import * as tf from '@tensorflow/tfjs-core';
import { Loader, type RandomAugment } from '@xfer/native-preproc';
import type { Example } from '../datasets/example.js';
import { nativeSources } from './native_sources.js';

/** One training batch as tensors. Call release() once they are disposed. */
export interface TrainingBatch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  size: number;
  release(): void;
}

/** Batches epoch after epoch: what fit consumes. */
export interface BatchSource {
  /** Images per epoch (an upper bound while failures are still being found). */
  readonly count: number;
  epoch(epoch: number): AsyncIterable<TrainingBatch>;
  close(): Promise<void>;
}

export interface LoaderSourceOptions {
  size: [width: number, height: number];
  batchSize: number;
  seed: number;
  augment?: RandomAugment;
  threads?: number;
  prefetch?: number;
  cache?: 'memory' | 'none' | { path: string };
  /** Called with each image the loader leaves out (it goes on without it). */
  onSkip?: (source: string, reason: string) => void;
}

/**
 * The training split through the native Loader: decoded and resized once into its uint8 cache,
 * then every epoch shuffled and augmented (Keras RandomFlip/RandomRotation) in native threads
 * into float32 batches of raw [0, 255] pixels; the model rescales them itself.
 */
export async function loaderSource(examples: readonly Example[], o: LoaderSourceOptions): Promise<BatchSource> {
  const { sources, kept, failures } = await nativeSources(examples);
  for (const f of failures) o.onSkip?.(f.source, f.reason);
  const loader = new Loader({
    sources,
    labels: kept.map((e) => e.label),
    size: o.size,
    batchSize: o.batchSize,
    shuffle: true,
    seed: o.seed,
    augment: o.augment,
    threads: o.threads,
    prefetch: o.prefetch,
    cache: o.cache ?? 'memory',
    dtype: 'float32',
    onError: 'skip',
  });
  const [w, h] = o.size;
  let reported = 0;
  return {
    get count() {
      return kept.length - loader.stats().skipped.length;
    },
    async *epoch(epoch: number) {
      for await (const b of loader.epoch(epoch)) {
        // tfjs may keep a reference to the batch's memory (cpu backend): the slot is released
        // only after the tensors are disposed.
        const x = tf.tensor4d(b.data as Float32Array, [b.size, h, w, 3]);
        const y = tf.tensor2d(Float32Array.from(b.labels), [b.size, 1]);
        yield { x, y, size: b.size, release: () => b.release() };
      }
      const skipped = loader.stats().skipped;
      for (const s of skipped.slice(reported)) o.onSkip?.(s.source, s.reason);
      reported = skipped.length;
    },
    close: () => loader.close(),
  };
}
