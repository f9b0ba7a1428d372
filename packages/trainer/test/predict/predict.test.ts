import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { decodeResizeBatch } from '@xfer/native-preproc';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { isPredictFailure, listImageFiles, predictImages, probabilitiesFromLogits, type Prediction } from '../../src/predict/predict.js';
import { loadSavedModel, locateSavedModel } from '../../src/predict/saved_model.js';
import { saveModel } from '../../src/weights/file_io.js';
import { tempDir } from '../helpers.js';

async function solid(file: string, value: number, size = 48): Promise<void> {
  await sharp({ create: { width: size, height: size + 8, channels: 3, background: { r: value, g: value, b: 255 - value } } }).png().toFile(file);
}

describe('probabilitiesFromLogits', () => {
  it('is a sigmoid of the one logit for two classes, p(class 1) second', () => {
    const p = probabilitiesFromLogits(new Float32Array([0, 2, -3]), 1);
    expect(p[0]).toEqual([0.5, 0.5]);
    expect(p[1]![1]).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(p[2]![0]! + p[2]![1]!).toBeCloseTo(1, 12);
    expect(p[2]![1]).toBeLessThan(0.5);
  });

  it('is a softmax over the units otherwise, stable for large logits', () => {
    const [a, b] = probabilitiesFromLogits([1, 2, 3, 1000, 0, -1000], 3);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0]! + e[1]! + e[2]!;
    a!.forEach((v, i) => expect(v).toBeCloseTo(e[i]! / s, 10));
    expect(b).toEqual([1, 0, 0]);
  });
});

describe('listImageFiles', () => {
  it('expands folders to their jpg/jpeg/png files, recursively and sorted; keeps files as given', async () => {
    const dir = tempDir('xfer-list-');
    await fs.mkdir(path.join(dir, 'b', 'c'), { recursive: true });
    for (const f of ['z.JPG', 'a.png', 'b/c/x.jpeg', 'b/y.jpg', 'notes.txt', 'b/c/skip.gif']) await fs.writeFile(path.join(dir, f), '');
    const other = path.join(os.tmpdir(), 'no-such-image.jpg');
    const got = await listImageFiles([dir, other]);
    expect(got).toEqual([...['a.png', 'b/c/x.jpeg', 'b/y.jpg', 'z.JPG'].map((f) => path.join(dir, f)), other]);
    await fs.mkdir(path.join(dir, 'empty'));
    await expect(listImageFiles([path.join(dir, 'empty')])).rejects.toThrow(/empty: no \.jpg\/\.jpeg\/\.png files/);
  });
});

describe('a saved model: locate, load, predict', () => {
  let runDir: string;
  let images: string;
  beforeAll(async () => {
    runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-saved-'));
    await pickBackend('cpu');
    const model = transferModel(miniXception({ inputShape: [32, 32, 3], widths: { entry: [4, 8], blocks: [8], exit: [8, 8] } }));
    await saveModel(model, path.join(runDir, 'model'));
    model.dispose();
    await fs.writeFile(path.join(runDir, 'model', 'preprocessing.json'), JSON.stringify({ classNames: ['dark', 'bright'], inputSize: [32, 32] }));
    await fs.writeFile(path.join(runDir, 'config.json'), JSON.stringify({ data: 'demo', splits: { test: 'train[90%:]' }, batchSize: 4 }));
    images = path.join(runDir, 'images');
    await fs.mkdir(images);
    await solid(path.join(images, 'a.png'), 30);
    await solid(path.join(images, 'b.png'), 220, 90);
    await fs.writeFile(path.join(images, 'c.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a]));
  });
  afterAll(() => fs.rm(runDir, { recursive: true, force: true }));

  it('is found from the run directory or from its model/ folder', async () => {
    const a = await locateSavedModel(runDir);
    const b = await locateSavedModel(path.join(runDir, 'model'));
    for (const w of [a, b]) {
      expect(w.modelDir).toBe(path.join(runDir, 'model'));
      expect(w.runDir).toBe(runDir);
      expect(w.preprocessing.classNames).toEqual(['dark', 'bright']);
      expect(w.config?.batchSize).toBe(4);
    }
  });

  it('errors name the path and say what to pass', async () => {
    await expect(locateSavedModel(path.join(runDir, 'nope'))).rejects.toThrow(/nope: no such file or folder; pass a run directory/);
    await expect(locateSavedModel(images)).rejects.toThrow(/images: no saved model here .*run directory/);
    const bare = tempDir('xfer-bare-');
    await fs.cp(path.join(runDir, 'model'), bare, { recursive: true });
    await fs.rm(path.join(bare, 'preprocessing.json'));
    await expect(locateSavedModel(bare)).rejects.toThrow(/preprocessing\.json is missing: it names the classes/);
    await fs.writeFile(path.join(bare, 'preprocessing.json'), JSON.stringify({ classNames: ['x'], inputSize: [32, 32] }));
    await expect(locateSavedModel(bare)).rejects.toThrow(/"classNames" must list at least two/);
  });

  it('predicts through the native decoder at the input size, sigmoid of the logit, and reports failures per image', async () => {
    const saved = await loadSavedModel(runDir);
    expect(saved.units).toBe(1);
    const files = await listImageFiles([images]);
    const results = await predictImages(saved.model, files, { classNames: ['dark', 'bright'], size: [32, 32], units: 1, batchSize: 2 });
    expect(results.map((r) => path.basename(r.source))).toEqual(['a.png', 'b.png', 'c.jpg']);
    const bad = results[2]!;
    expect(isPredictFailure(bad) && bad.reason).toMatch(/^[A-Z_]+: /);
    // The same pixels, decoded independently and run through the model, give the same probabilities.
    const batch = await decodeResizeBatch(files.slice(0, 2), { size: [32, 32] });
    const logits = tf.tidy(() => saved.model.predict(tf.tensor4d(Float32Array.from(batch.data as Uint8Array), [2, 32, 32, 3])) as tf.Tensor);
    const want = await logits.data();
    logits.dispose();
    for (let i = 0; i < 2; i++) {
      const r = results[i] as Prediction;
      const p1 = 1 / (1 + Math.exp(-want[i]!));
      expect(r.probabilities.bright).toBeCloseTo(p1, 5);
      expect(r.probabilities.dark! + r.probabilities.bright!).toBeCloseTo(1, 10);
      expect(r.className).toBe(p1 > 0.5 ? 'bright' : 'dark');
      expect(r.probability).toBe(Math.max(r.probabilities.dark!, r.probabilities.bright!));
    }
    saved.model.dispose();
  });
});
