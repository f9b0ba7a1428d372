import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/*
 * tfjs' `file://` handler exists only with tfjs-node. These handlers write and read the same
 * layout (model.json + weights.bin) with node:fs, on every backend.
 */

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function concatWeights(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  return new Uint8Array(tf.io.concatenateArrayBuffers(data));
}

/** Writes `data` to a new file and flushes it to the disk before returning. */
async function writeFileDurable(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * An IO handler that writes a tfjs model as `dir/model.json` and `dir/weights.bin` into an
 * existing, empty `dir`. saveModel gives it a private directory and swaps that in whole.
 */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      const weights = artifacts.weightData ? concatWeights(artifacts.weightData as ArrayBuffer | ArrayBuffer[]) : new Uint8Array();
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileDurable(path.join(dir, WEIGHTS_BIN), weights);
      await writeFileDurable(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, weightData: weights.buffer as ArrayBuffer }) };
    },
  };
}

/** An IO handler that loads what fileSaveHandler wrote. */
export function fileLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await fs.readFile(path.join(dir, MODEL_JSON), 'utf8')) as {
        modelTopology: object;
        weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
        format?: string;
        generatedBy?: string;
      };
      const specs: tf.io.WeightsManifestEntry[] = [];
      const parts: ArrayBuffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) {
          const buf = await fs.readFile(path.join(dir, p));
          parts.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
        }
      }
      return {
        modelTopology: json.modelTopology,
        weightSpecs: specs,
        weightData: tf.io.concatenateArrayBuffers(parts),
        format: json.format,
        generatedBy: json.generatedBy,
      };
    },
  };
}

/** saveModel's working names for `name`: `.<name>.partial-XXXXXX` while writing, `.<name>.old-XXXXXX` for the model replaced. */
function isStagingOf(entry: string, name: string): boolean {
  return /^(partial|old)-[A-Za-z0-9]{6}$/.test(entry.startsWith(`.${name}.`) ? entry.slice(name.length + 2) : '');
}

/** Makes a directory entry (a rename) survive a power cut; a no-op where directories cannot be opened. */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

/**
 * Saves a layers model as `dir`, replacing whatever `dir` held. The model is written and flushed
 * in a sibling directory, which then takes `dir`'s name by rename: a reader, or a process killed
 * or out of disk at any moment, finds the old model whole, the new one whole, or (killed between
 * the two renames of a replacement) no `dir` at all, never a mix or a part.
 */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  const base = path.basename(path.resolve(dir));
  await fs.mkdir(parent, { recursive: true });
  // What a process killed while saving this model left behind.
  for (const entry of await fs.readdir(parent)) {
    if (isStagingOf(entry, base)) await fs.rm(path.join(parent, entry), { recursive: true, force: true });
  }
  const staging = await fs.mkdtemp(path.join(parent, `.${base}.partial-`));
  try {
    await model.save(fileSaveHandler(staging));
    const old = path.join(parent, `.${base}.old-${staging.slice(-6)}`);
    const replaced = await fs.rename(dir, old).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return false;
        throw e;
      },
    );
    await fs.rename(staging, dir);
    await syncDir(parent);
    if (replaced) await fs.rm(old, { recursive: true, force: true });
  } catch (e) {
    await fs.rm(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Loads a layers model saved by saveModel. */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(fileLoadHandler(dir));
}
