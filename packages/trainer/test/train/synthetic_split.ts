import path from 'node:path';
import sharp from 'sharp';
import { onTestFinished } from 'vitest';
import { SplitLoader, type SplitLoaderOptions } from '../../src/data/split_loader.js';
import { fileSource, type Example } from '../../src/datasets/example.js';
import { tempDir } from '../helpers.js';

/** A split written as lossless PNG files, and the pixels they hold (for independent checks). */
export interface SyntheticSplit {
  examples: Example[];
  /** NHWC uint8, one image after another, in example order. */
  pixels: Uint8Array;
  labels: Int32Array;
  size: number;
}

/**
 * A two-class split of `count` size×size RGB images, labels alternating 0, 1. `pixel` gives each
 * pixel's [R, G, B] from its label, a seeded LCG and its position, so a seed always gives the same split. The
 * images are PNG files in a temporary folder: the Loader reads them as it reads a user's.
 */
export async function syntheticSplit(
  count: number,
  seed: number,
  size: number,
  pixel: (label: number, rnd: () => number, x: number, y: number) => [number, number, number],
): Promise<SyntheticSplit> {
  const dir = tempDir('xfer-split-');
  const per = size * size * 3;
  const pixels = new Uint8Array(count * per);
  const labels = new Int32Array(count);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const examples: Example[] = [];
  for (let i = 0; i < count; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < size * size; p++) pixels.set(pixel(labels[i]!, rnd, p % size, Math.floor(p / size)), i * per + p * 3);
    const file = path.join(dir, `${String(i).padStart(5, '0')}.png`);
    await sharp(pixels.subarray(i * per, (i + 1) * per), { raw: { width: size, height: size, channels: 3 } }).png().toFile(file);
    examples.push({ source: fileSource(file), label: labels[i]! });
  }
  return { examples, pixels, labels, size };
}

/** The split through a SplitLoader at its own size, closed when the test ends. */
export function loaderOf(split: SyntheticSplit, options: Omit<SplitLoaderOptions, 'size'>): SplitLoader {
  const loader = new SplitLoader(split.examples, { size: [split.size, split.size], ...options });
  onTestFinished(() => loader.close());
  return loader;
}
