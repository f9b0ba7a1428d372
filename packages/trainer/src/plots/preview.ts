import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { augmentParams, type RandomAugment } from '@xfer/native-preproc';
import { SplitLoader, type SplitBatch } from '../data/split_loader.js';
import type { DemoOptions } from '../datasets/demo_set.js';
import { sourceName, type Example, type SkippedImage } from '../datasets/example.js';
import { openDataset, type DatasetKind, type OpenedDataset } from '../datasets/open_dataset.js';
import { sliceSplit } from '../datasets/split.js';
import { defaultSplits } from '../datasets/split_defaults.js';
import { writeFileAtomic } from '../fs/write_atomic.js';
import { loaderEpoch, runSeeds } from '../train/seeds.js';
import { renderImageGrid } from './image_grid.js';

/** One picture of a preview: the decoder's output for one source, and what to write above it. */
export interface PreviewTile {
  source: string;
  /** The class index, when the picture is a labelled example. */
  label?: number;
  className?: string;
  title: string;
  /** Packed RGB, width*height*3 bytes. */
  pixels: Uint8Array;
  width: number;
  height: number;
}

export interface PreviewSamplesOptions {
  data: string;
  /** A TFDS split string; default the source's training split (defaultSplits). */
  split?: string;
  /** [width, height] the native decoder resizes to. */
  size: [number, number];
  /** How many examples (default 9). */
  count?: number;
  demo?: DemoOptions;
  /** The run's seed, as `xfer train --seed` (default 1337): a folder-per-class dataset's order, and the augmentation draws. */
  seed?: number;
  threads?: number;
  onInfo?: (line: string) => void;
}

export interface PreviewSamples {
  location: string;
  /** The split shown. */
  split: string;
  kind: DatasetKind;
  classNames: string[];
  tiles: PreviewTile[];
  /** Examples among the first ones of the split that failed to decode and were passed over. */
  failures: SkippedImage[];
}

async function openSplit(options: PreviewSamplesOptions): Promise<{ opened: OpenedDataset; split: string; examples: Example[] }> {
  const opened = await openDataset(options.data, { demo: options.demo, folder: { seed: runSeeds(options.seed ?? 1337).folderOrder }, onInfo: options.onInfo });
  const split = options.split ?? defaultSplits(opened.kind).train;
  return { opened, split, examples: sliceSplit(opened.examples, split) };
}

/** A batch's images as tiles: the Loader's float32 output rounded to bytes, as its uint8 output does. */
function tiles(b: SplitBatch, examples: readonly Example[], classNames: string[], title: (i: number, className: string) => string): PreviewTile[] {
  const [, height, width] = b.x.shape;
  const per = width * height * 3;
  const data = b.x.dataSync();
  return Array.from({ length: b.size }, (_, i) => {
    const example = examples[b.indices[i]!]!;
    const className = classNames[example.label]!;
    const pixels = Uint8Array.from(data.subarray(i * per, (i + 1) * per), (v) => Math.min(255, Math.max(0, Math.round(v))));
    return { source: sourceName(example.source), label: example.label, className, title: title(i, className), pixels, width, height };
  });
}

/** Takes the first batch of an epoch as tiles, and disposes it. */
async function firstBatch(loader: SplitLoader, epoch: number, toTiles: (b: SplitBatch) => PreviewTile[]): Promise<PreviewTile[]> {
  for await (const b of loader.epoch(epoch)) {
    try {
      return toTiles(b);
    } finally {
      tf.dispose([b.x, b.y]);
      b.release();
    }
  }
  return [];
}

function noImage(opened: OpenedDataset, split: string, examples: number, failures: number): Error {
  return new Error(`${opened.location}: split "${split}" has no image that decodes (${examples} examples, ${failures} failed); choose another --split`);
}

/**
 * The first `count` examples that decode, through the Loader as evaluation reads them, titled
 * with their class names: what the recipe's first figure shows (`train_ds.take(9)` with plt.title).
 */
export async function sampleTiles(
  examples: readonly Example[],
  classNames: string[],
  options: Pick<PreviewSamplesOptions, 'size' | 'count' | 'threads'>,
): Promise<{ tiles: PreviewTile[]; failures: SkippedImage[] }> {
  const failures: SkippedImage[] = [];
  const loader = new SplitLoader(examples, { size: options.size, batchSize: options.count ?? 9, threads: options.threads, cache: 'none', onSkip: (f) => failures.push(f) });
  try {
    return { tiles: await firstBatch(loader, 0, (b) => tiles(b, examples, classNames, (_, className) => className)), failures };
  } finally {
    await loader.close();
  }
}

/** The first examples of a split that decode, as sampleTiles shows them. */
export async function previewSamples(options: PreviewSamplesOptions): Promise<PreviewSamples> {
  const { opened, split, examples } = await openSplit(options);
  const { tiles: shown, failures } = await sampleTiles(examples, opened.classNames, options);
  if (shown.length === 0) throw noImage(opened, split, examples.length, failures.length);
  return { location: opened.location, split, kind: opened.kind, classNames: opened.classNames, tiles: shown, failures };
}

/**
 * What training epochs 1..count draw for the first example that decodes: the training Loader's
 * own seed, augmentation and epochs (train/seeds.ts), so the tiles equal the pixels the model is
 * trained on, each titled with its draw. The recipe's second figure; no tiles when none decodes.
 */
export async function augmentationTiles(
  examples: readonly Example[],
  classNames: string[],
  options: Pick<PreviewSamplesOptions, 'size' | 'count' | 'threads' | 'seed'> & { augment: RandomAugment },
): Promise<{ tiles: PreviewTile[]; failures: SkippedImage[] }> {
  const failures: SkippedImage[] = [];
  const seed = runSeeds(options.seed ?? 1337).loader;
  const loader = new SplitLoader(examples, {
    size: options.size, batchSize: 1, seed, augment: options.augment, threads: options.threads, cache: 'none', prefetch: 1, onSkip: (f) => failures.push(f),
  });
  try {
    const shown: PreviewTile[] = [];
    for (let epoch = 1; epoch <= (options.count ?? 9); epoch++) {
      const e = loaderEpoch(0, epoch);
      const tile = await firstBatch(loader, e, (b) =>
        tiles(b, examples, classNames, (i, className) => {
          const draw = augmentParams(seed, e, b.indices[i]!, options.augment);
          const degrees = Math.round((draw.angle * 180) / Math.PI);
          return `${className} ${draw.flipHorizontal ? 'flip ' : ''}${degrees >= 0 ? '+' : ''}${degrees}°`;
        }),
      );
      // Every epoch decodes the same examples: one that finds none, the first, finds none at all.
      if (tile.length === 0) break;
      shown.push(...tile);
    }
    return { tiles: shown, failures };
  } finally {
    await loader.close();
  }
}

/** The augmentations of a split's first image that decodes, as augmentationTiles draws them. */
export async function previewAugmentations(options: PreviewSamplesOptions & { augment: RandomAugment }): Promise<PreviewSamples> {
  const { opened, split, examples } = await openSplit(options);
  const { tiles: shown, failures } = await augmentationTiles(examples, opened.classNames, options);
  if (shown.length === 0) throw noImage(opened, split, examples.length, failures.length);
  return { location: opened.location, split, kind: opened.kind, classNames: opened.classNames, tiles: shown, failures };
}

/** The JSON written next to a preview PNG: what each tile shows, and where. */
export interface PreviewSidecar {
  image: string;
  width: number;
  height: number;
  columns: number;
  tileSize: [number, number];
  tiles: Array<{ index: number; source: string; label?: number; className?: string; title: string; x: number; y: number; width: number; height: number }>;
  [key: string]: unknown;
}

/** The sidecar's path for a preview image: preview.png → preview.json. */
export function sidecarPath(png: string): string {
  return path.extname(png).toLowerCase() === '.png' ? png.slice(0, -4) + '.json' : `${png}.json`;
}

/**
 * Writes tiles as a titled grid PNG (3 columns by default) and a sidecar JSON listing each tile's
 * source, label and title. `extra` is merged into the sidecar (e.g. the data and split shown).
 */
export async function writePreview(
  tiles: readonly PreviewTile[],
  out: string,
  options: { columns?: number; extra?: Record<string, unknown> } = {},
): Promise<{ png: string; json: string; sidecar: PreviewSidecar }> {
  const columns = options.columns ?? 3;
  const grid = await renderImageGrid(tiles, { columns });
  const png = path.resolve(out);
  const json = sidecarPath(png);
  await fs.mkdir(path.dirname(png), { recursive: true });
  const sidecar: PreviewSidecar = {
    image: png,
    width: grid.width,
    height: grid.height,
    columns,
    tileSize: [tiles[0]!.width, tiles[0]!.height],
    ...options.extra,
    tiles: tiles.map((t, index) => ({
      index,
      source: t.source,
      ...(t.label !== undefined ? { label: t.label } : {}),
      ...(t.className !== undefined ? { className: t.className } : {}),
      title: t.title,
      ...grid.placements[index]!,
    })),
  };
  await writeFileAtomic(png, grid.png);
  await writeFileAtomic(json, JSON.stringify(sidecar, null, 2) + '\n');
  return { png, json, sidecar };
}
