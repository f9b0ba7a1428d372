import { promises as fs } from 'node:fs';
import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadSavedModel, locateSavedModel } from '../predict/saved_model.js';
import { writeKerasH5 } from './keras_legacy_h5.js';

/** The formats `xfer export` writes. */
export const EXPORT_FORMATS = ['keras-h5'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What exportSavedModel wrote. */
export interface ExportResult {
  file: string;
  format: ExportFormat;
  /** The model/ folder it came from. */
  modelDir: string;
  /** Top-level layers (each has a group in the file), and those of them with weights. */
  layers: number;
  weightedLayers: number;
  parameters: number;
  /** Output units of the classifier: 1 (one logit, two classes) or one per class. */
  units: number;
}

function nestedModels(model: tfl.LayersModel): tfl.LayersModel[] {
  return model.layers.filter((l) => 'layers' in l).flatMap((l) => [l as unknown as tfl.LayersModel, ...nestedModels(l as unknown as tfl.LayersModel)]);
}

/**
 * Keras' names for the layers tfjs named itself: tfjs calls an unnamed Conv2D `conv2d_Conv2D3`,
 * Keras `conv2d_2` (numbered per class in model order, as in a fresh Keras session). Xception's
 * residual layers are such layers; every other name is kept.
 */
export function kerasLayerNames(model: tfl.LayersModel): (layer: tfl.layers.Layer) => string {
  const renamed = new Map<tfl.layers.Layer, string>();
  const counts = new Map<string, number>();
  for (const layer of [...model.layers, ...nestedModels(model).flatMap((m) => m.layers)]) {
    const auto = new RegExp(`^(\\w+)_${layer.getClassName()}\\d+$`).exec(layer.name);
    if (!auto) continue;
    const n = counts.get(auto[1]!) ?? 0;
    counts.set(auto[1]!, n + 1);
    renamed.set(layer, n === 0 ? auto[1]! : `${auto[1]}_${n}`);
  }
  return (layer) => renamed.get(layer) ?? layer.name;
}

/**
 * Writes `model`'s weights as Keras' `model.save_weights('x.h5')` (Keras 2, and Keras 3's legacy
 * HDF5 writer) writes them for the same functional model: one group per top-level layer, a nested
 * base as one group holding all its weights, named after its inner layers.
 *
 * Keras orders a nested model's weights by whether it is trainable: all its trainable weights
 * first, then the moving statistics, when it is; layer by layer when frozen (tfjs mirrors both).
 * The file always takes the trainable order, Keras' default and the recipe's state after fine-tuning,
 * so it does not depend on the phase a run ended in; `load_weights` then needs the base trainable.
 */
export async function exportKerasH5(model: tfl.LayersModel, file: string): Promise<void> {
  const frozen = nestedModels(model).filter((m) => !m.trainable);
  frozen.forEach((m) => (m.trainable = true));
  try {
    await writeKerasH5(model, file, kerasLayerNames(model));
  } finally {
    frozen.forEach((m) => (m.trainable = false));
  }
}

function alreadyThere(file: string): Error {
  return new Error(`${file} already exists; xfer export never overwrites: remove it or pass another --out`);
}

/**
 * Writes through a temporary file beside `file`, so a failed export leaves nothing half-written,
 * and links it into place, which (unlike a rename) refuses a file that appeared meanwhile.
 */
async function writeNewFile(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const dir = path.dirname(file);
  if (!(await fs.stat(dir).catch(() => null))?.isDirectory()) throw new Error(`${dir}: no such folder to export into; create it or pass another --out`);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await write(tmp);
    await fs.link(tmp, file).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'EEXIST' ? alreadyThere(file) : e;
    });
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/**
 * `xfer export`: writes a model saved by `xfer train` (a run directory or its model/ folder) in
 * `format`, to `out` or else `model.h5` in the run directory (the model folder without one). An
 * existing file is an error, never overwritten. A tfjs backend must be set first (pickBackend).
 */
export async function exportSavedModel(given: string, options: { format?: ExportFormat; out?: string } = {}): Promise<ExportResult> {
  const format = options.format ?? 'keras-h5';
  const where = await locateSavedModel(given);
  const file = path.resolve(options.out ?? path.join(where.runDir ?? where.modelDir, 'model.h5'));
  if (await fs.stat(file).catch(() => null)) throw alreadyThere(file);
  const { model, units } = await loadSavedModel(where.modelDir);
  try {
    await writeNewFile(file, (tmp) => exportKerasH5(model, tmp));
    const weightedLayers = model.layers.filter((l) => l.weights.length > 0).length;
    return { file, format, modelDir: where.modelDir, layers: model.layers.length, weightedLayers, parameters: model.countParams(), units };
  } finally {
    model.dispose();
  }
}
