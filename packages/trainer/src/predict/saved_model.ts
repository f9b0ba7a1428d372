import { promises as fs } from 'node:fs';
import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainConfig } from '../train/config.js';
import { loadModel } from '../weights/file_io.js';

/** model/preprocessing.json: what a saved model expects as input and what its outputs mean. */
export interface Preprocessing {
  classNames: string[];
  /** [width, height] the images are resized to. */
  inputSize: [number, number];
  [key: string]: unknown;
}

/** Where a saved model lives: its model/ folder and, when it came from `xfer train`, the run directory. */
export interface SavedModelLocation {
  /** The folder holding model.json, weights.bin and preprocessing.json. */
  modelDir: string;
  /** The run directory around model/, when there is one (it holds config.json). */
  runDir?: string;
  preprocessing: Preprocessing;
  /** The run's config.json, when there is one. */
  config?: Partial<TrainConfig>;
}

export interface SavedModel extends SavedModelLocation {
  model: tfl.LayersModel;
  /** Output units: 1 (one logit, two classes) or one per class. */
  units: number;
}

const WHAT_TO_PASS = 'pass a run directory made by `xfer train` (e.g. runs/<timestamp>) or its model/ folder';

async function isFile(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => null))?.isFile() ?? false;
}

async function readJson(file: string, what: string): Promise<unknown> {
  const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${file}: cannot read ${what} (${e.code ?? e.message})`);
  });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: ${what} is not valid JSON (${(e as Error).message})`);
  }
}

function checkPreprocessing(value: unknown, file: string): Preprocessing {
  const p = value as Partial<Preprocessing> | null;
  const fix = 'it should hold {"classNames": ["cat", "dog"], "inputSize": [150, 150]}, as `xfer train` writes it';
  if (!p || typeof p !== 'object') throw new Error(`${file}: not an object; ${fix}`);
  if (!Array.isArray(p.classNames) || p.classNames.length < 2 || !p.classNames.every((c) => typeof c === 'string')) {
    throw new Error(`${file}: "classNames" must list at least two class names; ${fix}`);
  }
  const size = p.inputSize;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`${file}: "inputSize" must be [width, height] in pixels; ${fix}`);
  }
  return p as Preprocessing;
}

/**
 * Finds a saved model from a path given on the command line: a run directory (holding model/)
 * or the model/ folder itself. Reads preprocessing.json and, for a run, config.json.
 */
export async function locateSavedModel(given: string): Promise<SavedModelLocation> {
  const abs = path.resolve(given);
  const st = await fs.stat(abs).catch(() => null);
  if (!st) throw new Error(`${abs}: no such file or folder; ${WHAT_TO_PASS}`);
  if (!st.isDirectory()) throw new Error(`${abs}: not a folder; ${WHAT_TO_PASS}`);
  let modelDir: string;
  let runDir: string | undefined;
  if (await isFile(path.join(abs, 'model.json'))) {
    modelDir = abs;
    if (await isFile(path.join(abs, '..', 'config.json'))) runDir = path.dirname(abs);
  } else if (await isFile(path.join(abs, 'model', 'model.json'))) {
    modelDir = path.join(abs, 'model');
    runDir = abs;
  } else {
    throw new Error(`${abs}: no saved model here (no model.json, nor model/model.json; an unfinished run has none yet); ${WHAT_TO_PASS}`);
  }
  const ppFile = path.join(modelDir, 'preprocessing.json');
  if (!(await isFile(ppFile))) {
    throw new Error(`${ppFile} is missing: it names the classes and the input size; write {"classNames": [...], "inputSize": [w, h]} there, or train again`);
  }
  const preprocessing = checkPreprocessing(await readJson(ppFile, 'the preprocessing description'), ppFile);
  let config: Partial<TrainConfig> | undefined;
  if (runDir && (await isFile(path.join(runDir, 'config.json')))) {
    config = (await readJson(path.join(runDir, 'config.json'), "the run's configuration")) as Partial<TrainConfig>;
  }
  return { modelDir, runDir, preprocessing, config };
}

/**
 * Loads a model saved by `xfer train` (the tfjs layers format through xfer's file IO) with its
 * preprocessing description. A tfjs backend must be set first (pickBackend).
 */
export async function loadSavedModel(given: string): Promise<SavedModel> {
  const where = await locateSavedModel(given);
  let model: tfl.LayersModel;
  try {
    model = await loadModel(where.modelDir);
  } catch (e) {
    throw new Error(`${path.join(where.modelDir, 'model.json')}: cannot load the model (${(e as Error).message}); check that weights.bin is complete, or train again`);
  }
  const outShape = model.outputs[0]?.shape ?? [];
  const units = Number(outShape[outShape.length - 1] ?? 1);
  const classes = where.preprocessing.classNames.length;
  if (!(units === 1 && classes === 2) && units !== classes) {
    model.dispose();
    throw new Error(
      `${where.modelDir}: the model has ${units} output unit(s) but preprocessing.json names ${classes} classes; ` +
        'one logit fits two classes, otherwise one unit per class',
    );
  }
  const inShape = model.inputs[0]?.shape ?? [];
  const [w, h] = where.preprocessing.inputSize;
  if (inShape[1] != null && inShape[2] != null && (inShape[1] !== h || inShape[2] !== w)) {
    model.dispose();
    throw new Error(`${where.modelDir}: preprocessing.json says inputSize [${w}, ${h}] but the model takes ${inShape[2]}x${inShape[1]}; fix inputSize`);
  }
  return { ...where, model, units };
}
