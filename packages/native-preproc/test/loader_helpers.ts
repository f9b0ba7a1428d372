/** What the Loader test files share: a small corpus, its options, and how batches are collected and compared. */
import { expect } from 'vitest';

import type { Loader, LoaderOptions } from '../src/index.js';
import { corpus, corpusPath } from './helpers.js';

export interface Collected {
  data: Array<Float32Array | Uint8Array>;
  labels: number[][];
  indices: number[][];
  sizes: number[];
}

/** Runs one epoch, copying every batch (slots are reused after release). */
export async function collect(loader: Loader, epoch: number): Promise<Collected> {
  const out: Collected = { data: [], labels: [], indices: [], sizes: [] };
  for await (const b of loader.epoch(epoch)) {
    out.data.push(b.data.slice());
    out.labels.push(Array.from(b.labels));
    out.indices.push(Array.from(b.indices));
    out.sizes.push(b.size);
    b.release();
  }
  return out;
}

export function bytes(a: Float32Array | Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

export function expectSame(a: Collected, b: Collected, what: string) {
  expect(b.sizes, what).toEqual(a.sizes);
  expect(b.indices, what).toEqual(a.indices);
  expect(b.labels, what).toEqual(a.labels);
  for (let i = 0; i < a.data.length; i++) expect(bytes(b.data[i]!).equals(bytes(a.data[i]!)), `${what}: batch ${i}`).toBe(true);
}

// Small, varied corpus images keep the suite fast on 2 cores.
export const files = corpus()
  .filter((e) => e.w * e.h <= 200_000)
  .filter((_, i) => i % 23 === 0)
  .slice(0, 26)
  .map(corpusPath);
export const labels = files.map((_, i) => (i * 7) % 3);
export const size: [number, number] = [64, 48];
export const augmentOptions = { flip: 'both', rotation: 0.15, fill: 'reflect' } as const;
export const normalize = { scale: 1 / 127.5, offset: -1 };

export function base(extra: Partial<LoaderOptions> = {}): LoaderOptions {
  return { sources: files, labels, size, batchSize: 5, shuffle: true, seed: 3, augment: augmentOptions, normalize, threads: 2, ...extra };
}
