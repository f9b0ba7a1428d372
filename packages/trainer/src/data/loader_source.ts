import * as tf from '@tensorflow/tfjs-core';
import { Loader, type ByteRange, type RandomAugment, type Source } from '@xfer/native-preproc';
import type { Example } from '../datasets/example.js';
import { parseZipSource, ZipArchive } from '../datasets/zip_archive.js';

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

/**
 * Where the native loader reads each example: files by path, zip entries as byte ranges of the
 * archive (read and inflated in the native threads, without extracting).
 */
export async function nativeSources(examples: readonly Example[]): Promise<Source[]> {
  const archives = new Map<string, ZipArchive>();
  try {
    const out: Source[] = [];
    for (const e of examples) {
      const z = parseZipSource(e.source);
      if (!z) {
        out.push(e.source);
        continue;
      }
      let zip = archives.get(z.zipPath);
      if (!zip) {
        zip = await ZipArchive.open(z.zipPath);
        archives.set(z.zipPath, zip);
      }
      out.push({ ...(await zip.byteRange(z.entry)), name: e.source } satisfies ByteRange);
    }
    return out;
  } finally {
    for (const a of archives.values()) a.close();
  }
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
  const loader = new Loader({
    sources: await nativeSources(examples),
    labels: examples.map((e) => e.label),
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
      return examples.length - loader.stats().skipped.length;
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
