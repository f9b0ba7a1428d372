import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import h5wasm from 'h5wasm/node';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { ZipArchive } from '../datasets/zip_archive.js';
import type { WeightArray } from './h5_dataset.js';
import { legacyRoot, readLegacyLayers, type H5Layer } from './keras_legacy_h5.js';
import { readV3Layers, v3LayerPaths } from './keras_v3_h5.js';

export type { WeightArray } from './h5_dataset.js';
export type { H5Layer } from './keras_legacy_h5.js';

/** A Keras weights file's contents, in the form Keras itself pairs them with a model's layers. */
export type KerasWeights =
  /** Keras 1/2/3 legacy HDF5: layers in model order, paired by position among those with weights. */
  | { format: 'legacy-h5'; layers: H5Layer[] }
  /** Keras 3 `.weights.h5` (or a `.keras` archive's): weights by object path, `layers/conv2d_1`. */
  | { format: 'keras-v3'; layers: Map<string, WeightArray[]> };

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const ZIP_SIGNATURE = Buffer.from('PK\x03\x04', 'latin1');

/** HDF5 puts its signature at 0 or, after a user block, at 512, 1024, 2048, … */
async function fileKind(file: string): Promise<'hdf5' | 'zip' | 'other'> {
  const fh = await fs.open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${file}: cannot read the weights file (${e.code ?? e.message})`);
  });
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(8);
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      await fh.read(head, 0, 8, at);
      if (at === 0 && head.subarray(0, 4).equals(ZIP_SIGNATURE)) return 'zip';
      if (head.equals(HDF5_SIGNATURE)) return 'hdf5';
    }
    return 'other';
  } finally {
    await fh.close();
  }
}

async function readHdf5(file: string, shownAs: string): Promise<KerasWeights> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'r');
  try {
    const legacy = legacyRoot(f);
    if (legacy) return { format: 'legacy-h5', layers: readLegacyLayers(legacy, shownAs) };
    if (f.keys().includes('layers')) return { format: 'keras-v3', layers: readV3Layers(f, shownAs) };
    throw new Error(
      `${shownAs}: not a Keras weights file: HDF5, but neither in Keras' legacy layout (a 'layer_names' attribute at the root or in 'model_weights') nor in Keras 3's .weights.h5 layout (a 'layers' group)`,
    );
  } finally {
    f.close();
  }
}

/** The weights inside a Keras 3 `.keras` archive (a zip holding config.json and model.weights.h5). */
async function readKerasArchive(file: string): Promise<KerasWeights> {
  const zip = await ZipArchive.open(file, { maxEntryBytes: 2 ** 40, maxRatio: Infinity });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-keras-'));
  try {
    if (!zip.entries.has('model.weights.h5')) {
      throw new Error(`${file}: a zip archive without 'model.weights.h5', so not a Keras 3 .keras model (its entries: ${[...zip.entries.keys()].slice(0, 5).join(', ')})`);
    }
    const weights = path.join(dir, 'model.weights.h5');
    await fs.writeFile(weights, await zip.read('model.weights.h5'));
    return await readHdf5(weights, `${file}!/model.weights.h5`);
  } finally {
    zip.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Reads every kind of weights file Keras writes: the legacy HDF5 layout of Keras 1, 2 and 3
 * (`save_weights('x.h5')`, `model.save('x.h5')`, the keras-applications ImageNet files), Keras 3's
 * `.weights.h5`, and the weights of a Keras 3 `.keras` archive. Anything else gets an error that
 * names the file and says what it is not.
 */
export async function readKerasWeights(file: string): Promise<KerasWeights> {
  const kind = await fileKind(file);
  if (kind === 'zip') return readKerasArchive(file);
  if (kind === 'other') throw new Error(`${file}: not a Keras weights file: it is neither HDF5 (.h5, .weights.h5) nor a .keras archive`);
  return readHdf5(file, file);
}

/** One model layer and the file's weights for it. */
interface Pair {
  layer: tfl.layers.Layer;
  /** Where the weights are in the file, for errors. */
  source: string;
  weights: WeightArray[];
}

/** Legacy files pair by position among layers with weights, as Keras' `load_weights` does. */
function legacyPairs(model: tfl.LayersModel, layers: H5Layer[], file: string): Pair[] {
  const modelLayers = model.layers.filter((l) => l.weights.length > 0);
  const withWeights = layers.filter((l) => l.weights.length > 0);
  if (modelLayers.length !== withWeights.length) {
    const few = withWeights.length <= 5 ? ` (the file's: ${withWeights.map((l) => l.name).join(', ') || 'none'})` : '';
    throw new Error(`${file}: it has ${withWeights.length} layers with weights${few} but the model '${model.name}' has ${modelLayers.length}`);
  }
  return modelLayers.map((layer, i) => ({ layer, source: withWeights[i]!.name, weights: withWeights[i]!.weights }));
}

/** Keras 3 files pair by object path, as Keras 3's `load_weights` does. */
function v3Pairs(model: tfl.LayersModel, layers: Map<string, WeightArray[]>, file: string): Pair[] {
  const paths = v3LayerPaths(model);
  const missing = paths.filter((p) => !layers.has(p.path));
  if (missing.length > 0) {
    throw new Error(
      `${file}: no weights at '${missing[0]!.path}' for layer '${missing[0]!.layer.name}' of the model '${model.name}'` +
        `${missing.length > 1 ? ` (nor for ${missing.length - 1} more layers)` : ''}; the file has weights for: ${[...layers.keys()].slice(0, 5).join(', ')}${layers.size > 5 ? ', …' : ''}`,
    );
  }
  const used = new Set(paths.map((p) => p.path));
  const extra = [...layers.keys()].filter((k) => !used.has(k));
  if (extra.length > 0) throw new Error(`${file}: weights at '${extra[0]}'${extra.length > 1 ? ` and ${extra.length - 1} more paths` : ''} belong to no layer of the model '${model.name}'`);
  return paths.map(({ layer, path: p }) => ({ layer, source: p, weights: layers.get(p)! }));
}

/**
 * Sets a model's weights from a Keras weights file the way Keras' `load_weights` pairs them (by
 * position for legacy files, so the unnamed residual layers need no names; by object path for
 * Keras 3 files). Every weight's count and shape must match. Throws, naming the layer and both
 * shapes, before any weight is changed.
 */
export function assignKerasWeights(model: tfl.LayersModel, weights: KerasWeights, file = 'weights file'): void {
  const pairs = weights.format === 'legacy-h5' ? legacyPairs(model, weights.layers, file) : v3Pairs(model, weights.layers, file);
  for (const { layer, source, weights: src } of pairs) {
    if (src.length !== layer.weights.length) {
      throw new Error(`${file}: layer '${layer.name}' (file: '${source}') expects ${layer.weights.length} weights, the file has ${src.length}`);
    }
    layer.weights.forEach((w, j) => {
      const s = src[j]!;
      if (s.shape.length !== w.shape.length || s.shape.some((d, k) => d !== w.shape[k])) {
        throw new Error(
          `${file}: weight ${j} of layer '${layer.name}' (file: '${source}/${s.name}') has shape [${s.shape.join(', ')}], the model expects [${w.shape.join(', ')}]`,
        );
      }
    });
  }
  const values = pairs.map((p) => p.weights.map((s) => tf.tensor(s.data, s.shape)));
  pairs.forEach((p, i) => p.layer.setWeights(values[i]!));
  tf.dispose(values.flat());
}

/** Reads a Keras weights file and sets `model`'s weights from it (see {@link assignKerasWeights}). */
export async function loadKerasWeights(model: tfl.LayersModel, file: string): Promise<void> {
  assignKerasWeights(model, await readKerasWeights(file), file);
}
