import type { DecodedSplit } from '../../src/data/decoded_split.js';

/**
 * A two-class split of `count` size×size RGB images, labels alternating 0, 1. `pixel` gives each
 * pixel's [R, G, B] from its label and a seeded LCG, so a seed always gives the same split.
 */
export function syntheticSplit(
  count: number,
  seed: number,
  size: number,
  pixel: (label: number, rnd: () => number) => [number, number, number],
): DecodedSplit {
  const per = size * size * 3;
  const pixels = new Uint8Array(count * per);
  const labels = new Int32Array(count);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 2;
    for (let o = i * per; o < (i + 1) * per; o += 3) pixels.set(pixel(labels[i]!, rnd), o);
  }
  return { pixels, labels, sources: [], size: [size, size], failures: [], count };
}
