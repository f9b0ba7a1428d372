import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decodeSplit, type DecodeFailure } from '../data/decoded_split.js';
import type { DemoOptions } from '../datasets/demo.js';
import { openDataset, sliceSplit, type DatasetKind } from '../datasets/index.js';
import { writeFileAtomic } from '../fs/write_atomic.js';
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
  split: string;
  /** [width, height] the native decoder resizes to. */
  size: [number, number];
  /** How many examples (default 9). */
  count?: number;
  demo?: DemoOptions;
  /** Order of a folder-per-class dataset (as `xfer train --seed`; default 1337). */
  seed?: number;
  threads?: number;
  onInfo?: (line: string) => void;
}

export interface PreviewSamples {
  location: string;
  kind: DatasetKind;
  classNames: string[];
  tiles: PreviewTile[];
  /** Examples among the first ones of the split that failed to decode and were passed over. */
  failures: DecodeFailure[];
}

/**
 * The first `count` examples of a split that decode, resized by the native decoder and titled with
 * their class names: what the recipe's first figure shows (`train_ds.take(9)` with plt.title).
 */
export async function previewSamples(options: PreviewSamplesOptions): Promise<PreviewSamples> {
  const count = options.count ?? 9;
  const opened = await openDataset(options.data, { demo: options.demo, folder: { seed: options.seed ?? 1337 }, onInfo: options.onInfo });
  const examples = sliceSplit(opened.examples, options.split);
  const [w, h] = options.size;
  const per = w * h * 3;
  const tiles: PreviewTile[] = [];
  const failures: DecodeFailure[] = [];
  for (let start = 0; start < examples.length && tiles.length < count; ) {
    const take = examples.slice(start, start + (count - tiles.length));
    start += take.length;
    const d = await decodeSplit(take, { size: options.size, threads: options.threads });
    failures.push(...d.failures);
    for (let i = 0; i < d.count; i++) {
      const label = d.labels[i]!;
      const className = opened.classNames[label]!;
      tiles.push({ source: d.sources[i]!, label, className, title: className, pixels: d.pixels.slice(i * per, (i + 1) * per), width: w, height: h });
    }
  }
  if (tiles.length === 0) {
    throw new Error(`${opened.location}: split "${options.split}" has no image that decodes (${examples.length} examples, ${failures.length} failed); choose another --split`);
  }
  return { location: opened.location, kind: opened.kind, classNames: opened.classNames, tiles, failures };
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
