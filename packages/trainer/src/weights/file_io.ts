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

/** Writes a file so that a reader sees either the old content or the whole new one, never a part. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}

function concatWeights(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  return new Uint8Array(tf.io.concatenateArrayBuffers(data));
}

/** An IO handler that saves a tfjs model as `dir/model.json` and `dir/weights.bin`. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      await fs.mkdir(dir, { recursive: true });
      const weights = artifacts.weightData ? concatWeights(artifacts.weightData as ArrayBuffer | ArrayBuffer[]) : new Uint8Array();
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      // Weights first: model.json appearing is what marks a complete save.
      await writeFileAtomic(path.join(dir, WEIGHTS_BIN), weights);
      await writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
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

/** Saves a layers model into `dir` (created if needed). */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(fileSaveHandler(dir));
}

/** Loads a layers model saved by saveModel. */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(fileLoadHandler(dir));
}
