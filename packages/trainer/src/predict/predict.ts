import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { decodeResizeBatch } from '@xfer/native-preproc';

/** The extensions `xfer predict` picks up in a folder (lower-cased). */
export const PREDICT_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png'];

/** One image's prediction. */
export interface Prediction {
  source: string;
  /** Index of the predicted class. */
  label: number;
  className: string;
  /** Probability of the predicted class. */
  probability: number;
  /** Probability of every class, by name. */
  probabilities: Record<string, number>;
}

/** An image that could not be read or decoded, and why. */
export interface PredictFailure {
  source: string;
  error: string;
}

export type PredictResult = Prediction | PredictFailure;

export function isPredictFailure(r: PredictResult): r is PredictFailure {
  return 'error' in r;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) await walk(full, out);
    else if (e.isFile() && PREDICT_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(full);
  }
}

/**
 * Expands what was given on the command line into image files, in order: a folder becomes its
 * .jpg/.jpeg/.png files (recursively, sorted by path); a file, or a path that does not exist, stays
 * as given (the decoder then reports why it cannot be read). A folder without images is an error.
 */
export async function listImageFiles(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const abs = path.resolve(input);
    const st = await fs.stat(abs).catch(() => null);
    if (st?.isDirectory()) {
      const found: string[] = [];
      await walk(abs, found);
      if (found.length === 0) throw new Error(`${abs}: no ${PREDICT_EXTENSIONS.join('/')} files in this folder or below it; pass image files or a folder that holds some`);
      found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      out.push(...found);
    } else {
      out.push(abs);
    }
  }
  return out;
}

/**
 * Class probabilities from a model's raw outputs: with one unit the logit is that of class 1
 * (p1 = sigmoid(logit), p0 = 1 - p1); with more, a softmax over the units.
 */
export function probabilitiesFromLogits(logits: ArrayLike<number>, units: number): number[][] {
  const n = logits.length / units;
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (units === 1) {
      const p1 = 1 / (1 + Math.exp(-logits[i]!));
      out.push([1 - p1, p1]);
      continue;
    }
    const row = Array.from({ length: units }, (_, k) => logits[i * units + k]!);
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    out.push(exps.map((v) => v / sum));
  }
  return out;
}

export interface PredictOptions {
  classNames: string[];
  /** [width, height] of the model's input. */
  size: [number, number];
  /** Output units of the model (1: one logit for two classes). */
  units: number;
  threads?: number;
  /** Images per native decode call and per model call (default 32). */
  batchSize?: number;
}

/**
 * Decodes and resizes images through the native addon at the model's input size and runs the model
 * in inference mode. Images that fail are returned with the reason; the others are predicted.
 */
export async function predictImages(model: tfl.LayersModel, sources: readonly string[], options: PredictOptions): Promise<PredictResult[]> {
  const [w, h] = options.size;
  const per = w * h * 3;
  const chunk = options.batchSize ?? 32;
  const results: PredictResult[] = [];
  for (let start = 0; start < sources.length; start += chunk) {
    const part = sources.slice(start, start + chunk);
    const batch = await decodeResizeBatch(part, { size: options.size, threads: options.threads });
    const data = batch.data as Uint8Array;
    const okIdx: number[] = [];
    for (let i = 0; i < part.length; i++) if (batch.ok[i] === 1) okIdx.push(i);
    const out: PredictResult[] = new Array(part.length);
    for (const f of batch.failures) {
      const message = f.message.startsWith(`${f.source}: `) ? f.message.slice(f.source.length + 2) : f.message;
      out[f.index] = { source: part[f.index]!, error: `${f.code}: ${message}` };
    }
    if (okIdx.length > 0) {
      const x = new Float32Array(okIdx.length * per);
      okIdx.forEach((slot, j) => x.set(data.subarray(slot * per, (slot + 1) * per), j * per));
      const logits = tf.tidy(() => model.predict(tf.tensor4d(x, [okIdx.length, h, w, 3])) as tf.Tensor);
      const values = await logits.data();
      logits.dispose();
      const probs = probabilitiesFromLogits(values, options.units);
      okIdx.forEach((slot, j) => {
        const p = probs[j]!;
        let label = 0;
        for (let k = 1; k < p.length; k++) if (p[k]! > p[label]!) label = k;
        const probabilities: Record<string, number> = {};
        options.classNames.forEach((c, k) => (probabilities[c] = p[k]!));
        out[slot] = { source: part[slot]!, label, className: options.classNames[label]!, probability: p[label]!, probabilities };
      });
    }
    for (let i = 0; i < part.length; i++) {
      results.push(out[i] ?? { source: part[i]!, error: 'UNKNOWN: the decoder reported neither pixels nor a failure' });
    }
  }
  return results;
}
