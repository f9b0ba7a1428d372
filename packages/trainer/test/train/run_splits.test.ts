import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { augment, augmentParams, decodeResizeBatch } from '@xfer/native-preproc';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { pickBackend } from '../../src/backend/pick_backend.js';
import type { SplitLoader } from '../../src/data/split_loader.js';
import { fileSource, type Example, type SkippedImage } from '../../src/datasets/example.js';
import { openDataset } from '../../src/datasets/open_dataset.js';
import { previewAugmentations } from '../../src/plots/preview.js';
import { openSplits, type Splits } from '../../src/train/run_splits.js';
import { runSeeds } from '../../src/train/seeds.js';
import { tempDir } from '../helpers.js';

const SIZE = 16;
const SEED = 11;
const config = {
  splits: { train: 'train[:60%]', validation: 'train[60%:80%]', test: 'train[80%:]' },
  imageSize: SIZE, batchSize: 4, seed: SEED, flip: true, rotation: 0.1,
};
const AUGMENT = { flip: 'horizontal', rotation: 0.1 } as const;

/** `count` noisy 24x20 PNGs (so the Loader resizes them) under dir/<class>/, alternating classes a and b. */
async function pictures(dir: string, count: number): Promise<Example[]> {
  const examples: Example[] = [];
  for (let i = 0; i < count; i++) {
    const cls = i % 2 ? 'b' : 'a';
    await fs.mkdir(path.join(dir, cls), { recursive: true });
    const file = path.join(dir, cls, `${i}.png`);
    const px = Uint8Array.from({ length: 24 * 20 * 3 }, (_, k) => (k * 7 + i * 31 + ((k * k) % 13)) & 255);
    await sharp(px, { raw: { width: 24, height: 20, channels: 3 } }).png().toFile(file);
    examples.push({ source: fileSource(file), label: i % 2 });
  }
  return examples;
}

/** Every row of a Loader epoch, by example index, as float pixels. */
async function rows(loader: SplitLoader, epoch: number): Promise<{ order: number[]; pixels: Map<number, Float32Array> }> {
  const order: number[] = [];
  const pixels = new Map<number, Float32Array>();
  const per = SIZE * SIZE * 3;
  for await (const b of loader.epoch(epoch)) {
    const data = b.x.dataSync() as Float32Array;
    b.indices.forEach((at, i) => {
      order.push(at);
      pixels.set(at, data.slice(i * per, (i + 1) * per));
    });
    tf.dispose([b.x, b.y]);
    b.release();
  }
  return { order, pixels };
}

/** The example decoded and resized on its own (no cache, no Loader), then flipped and rotated as drawn. */
async function independently(e: Example, draw?: { flipHorizontal: boolean; angle: number }): Promise<Float32Array> {
  if (e.source.kind !== 'file') throw new Error('file sources only');
  const r = await decodeResizeBatch([e.source.path], { size: [SIZE, SIZE] });
  const img = { data: (r.data as Uint8Array).slice(), width: SIZE, height: SIZE, channels: 3 as const };
  if (!draw) return Float32Array.from(img.data);
  return (await augment(img, { flipHorizontal: draw.flipHorizontal, angle: draw.angle, dtype: 'float32' })).data;
}

function open(examples: Example[]): { splits: Splits; skipped: Array<[string, SkippedImage]> } {
  const skipped: Array<[string, SkippedImage]> = [];
  const splits = openSplits(examples, config, (split, s) => skipped.push([split, s]));
  onTestFinished(() => Promise.all([splits.train.close(), splits.validation.close(), splits.test.close()]).then(() => {}));
  return { splits, skipped };
}

describe("a run's splits, all through the Loader", () => {
  beforeAll(async () => {
    await pickBackend('cpu');
  });

  it('the training split shuffles, and flips and rotates in every Loader epoch, the fine-tune\'s as the first', async () => {
    const examples = await pictures(tempDir('xfer-splits-'), 20);
    const { splits } = open(examples);
    const seed = runSeeds(SEED).loader;
    for (const epoch of [1, 6]) {
      const got = await rows(splits.train, epoch);
      expect([...got.order].sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
      expect(got.order).not.toEqual([...Array(12).keys()]);
      let rotated = 0;
      for (const [at, pixels] of got.pixels) {
        const draw = augmentParams(seed, epoch, at, AUGMENT);
        if (Math.abs(draw.angle) > 0.01) rotated++;
        expect(Array.from(pixels)).toEqual(Array.from(await independently(examples[at]!, draw)));
      }
      expect(rotated).toBeGreaterThan(6);
    }
  });

  it('validation and test neither shuffle nor augment, and name the split of an image they leave out', async () => {
    const examples = await pictures(tempDir('xfer-splits-'), 20);
    const broken = examples[13]!;
    if (broken.source.kind === 'file') await fs.writeFile(broken.source.path, 'not a png');
    const { splits, skipped } = open(examples);
    for (const [loader, first] of [[splits.validation, 12], [splits.test, 16]] as const) {
      const got = await rows(loader, 0);
      const want = [0, 1, 2, 3].map((i) => first + i).filter((i) => i !== 13);
      expect(got.order.map((i) => i + first)).toEqual(want);
      for (const [at, pixels] of got.pixels) expect(Array.from(pixels)).toEqual(Array.from(await independently(examples[first + at]!)));
    }
    expect(skipped.map(([split, s]) => [split, s.source])).toEqual([['validation', broken.source.kind === 'file' ? broken.source.path : '']]);
    expect(skipped[0]![1].reason).toMatch(/^[A-Z_]+: /);
    expect(splits.validation.count).toBe(3);
  });

  it('preview --augment shows exactly what training epochs 1..9 draw for the first image', async () => {
    const dir = tempDir('xfer-preview-');
    await pictures(dir, 20);
    const opened = await openDataset(dir, { folder: { seed: runSeeds(SEED).folderOrder } });
    const { splits } = open(opened.examples);
    const preview = await previewAugmentations({ data: dir, split: config.splits.train, size: [SIZE, SIZE], seed: SEED, augment: AUGMENT });
    expect(preview.tiles).toHaveLength(9);
    for (let epoch = 1; epoch <= 9; epoch++) {
      const trained = (await rows(splits.train, epoch)).pixels.get(0)!;
      const tile = preview.tiles[epoch - 1]!;
      expect(Array.from(tile.pixels)).toEqual(Array.from(trained, (v) => Math.min(255, Math.max(0, Math.round(v)))));
    }
    expect(new Set(preview.tiles.map((t) => t.title)).size).toBeGreaterThan(5);
  });
});
