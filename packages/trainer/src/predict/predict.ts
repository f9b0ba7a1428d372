import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { SplitLoader } from '../data/split_loader.js';
import { fileSource, type SkippedImage } from '../datasets/example.js';

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
  /** The `top` most probable classes, most probable first. */
  top: Array<{ className: string; probability: number }>;
}

/** An image that could not be read or decoded is left out of prediction, with the reason. */
export type PredictResult = Prediction | SkippedImage;

export function isPredictFailure(r: PredictResult): r is SkippedImage {
  return 'reason' in r;
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
  /** Images per batch (default 32). */
  batchSize?: number;
  /** How many of the most probable classes each prediction lists (default 5, at most the class count). */
  top?: number;
}

/**
 * Reads the images through the Loader at the model's input size, as evaluation does, and runs the
 * model in inference mode. Images that fail are returned with the reason; the others are predicted.
 */
export async function predictImages(model: tfl.LayersModel, sources: readonly string[], options: PredictOptions): Promise<PredictResult[]> {
  const out: Array<PredictResult | undefined> = new Array(sources.length);
  const examples = sources.map((p) => ({ source: fileSource(p), label: 0 }));
  const failed = new Map<string, string>();
  const loader = new SplitLoader(examples, {
    size: options.size, batchSize: options.batchSize ?? 32, threads: options.threads, cache: 'none',
    onSkip: (s) => failed.set(s.source, s.reason),
  });
  try {
    for await (const b of loader.epoch(0)) {
      try {
        const logits = tf.tidy(() => model.predict(b.x) as tf.Tensor);
        const probs = probabilitiesFromLogits(await logits.data(), options.units);
        logits.dispose();
        b.indices.forEach((at, j) => {
          const p = probs[j]!;
          let label = 0;
          for (let k = 1; k < p.length; k++) if (p[k]! > p[label]!) label = k;
          const probabilities: Record<string, number> = {};
          options.classNames.forEach((c, k) => (probabilities[c] = p[k]!));
          const top = options.classNames
            .map((className, k) => ({ className, probability: p[k]! }))
            .sort((a, b) => b.probability - a.probability)
            .slice(0, options.top ?? 5);
          out[at] = { source: sources[at]!, label, className: options.classNames[label]!, probability: p[label]!, probabilities, top };
        });
      } finally {
        tf.dispose([b.x, b.y]);
        b.release();
      }
    }
  } finally {
    await loader.close();
  }
  // Array.from visits the holes that map() would skip: the images the Loader left out.
  return Array.from(out, (r, i) => r ?? { source: sources[i]!, reason: failed.get(sources[i]!) ?? 'UNKNOWN: the Loader delivered neither pixels nor a failure' });
}
