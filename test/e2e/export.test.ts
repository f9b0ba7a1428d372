import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSavedModel, pickBackend, readKerasWeights } from '@xfer/trainer';
import { runXfer, type CliRun } from './helpers.js';

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

// The built CLI after one tiny training run: xfer export as a user runs it.
describe('xfer export', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let runDir: string;

  const xferRun = (...args: string[]): Promise<CliRun> => runXfer(args, { env, cwd: tmp });

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-e2e-export-'));
    env = { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache') };
    const r = await xferRun('train', '--demo-per-class', '16', '--epochs', '1', '--fine-tune-epochs', '0', '--batch-size', '4', '--out', path.join(tmp, 'runs'));
    expect(r.code, r.stderr).toBe(0);
    runDir = path.join(tmp, 'runs', (await fs.readdir(path.join(tmp, 'runs')))[0]!);
  });
  afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

  it('--format keras-h5 --out x.h5 writes the trained weights in Keras legacy HDF5 layout', async () => {
    const r = await xferRun('export', runDir, '--format', 'keras-h5', '--out', 'x.h5');
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(tmp, 'x.h5');
    expect(r.stdout).toContain(`wrote ${file} (keras-h5): 6 layers, 2 with weights`);
    expect((await fs.readFile(file)).subarray(0, 8)).toEqual(HDF5_SIGNATURE);

    const weights = await readKerasWeights(file);
    if (weights.format !== 'legacy-h5') throw new Error(`${file} read as ${weights.format}`);
    expect(weights.layers.map((l) => l.name)).toEqual(['image', 'rescaling', 'mini_xception', 'global_average_pooling2d', 'dropout', 'dense']);
    // Every weight as the run saved it, in Keras' order: the base's trainable ones, then its moving statistics.
    await pickBackend('cpu');
    const { model } = await loadSavedModel(runDir);
    model.layers.forEach((layer, i) => {
      const inFile = weights.layers[i]!.weights;
      expect(inFile.map((w) => w.shape)).toEqual(layer.weights.map((w) => w.shape));
      layer.weights.forEach((w, j) => expect(inFile[j]!.data).toEqual(w.read().dataSync()));
    });
    expect(weights.layers[5]!.weights.map((w) => w.name)).toEqual(['dense/kernel:0', 'dense/bias:0']);
    model.dispose();
  });

  it('writes model.h5 in the run by default, and never overwrites it', async () => {
    const first = await xferRun('export', runDir);
    expect(first.code, first.stderr).toBe(0);
    const file = path.join(runDir, 'model.h5');
    const written = await fs.stat(file);
    const again = await xferRun('export', path.join(runDir, 'model'), '--format', 'keras-h5');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`error: ${file} already exists`);
    expect((await fs.stat(file)).mtimeMs).toBe(written.mtimeMs);
    expect((await fs.readdir(runDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a format it does not write is a usage error (exit 2); --help has examples', async () => {
    const r = await xferRun('export', runDir, '--format', 'onnx', '--out', 'y.onnx');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format onnx is not one xfer writes; it writes keras-h5');
    await expect(fs.stat(path.join(tmp, 'y.onnx'))).rejects.toThrow();
    const help = await xferRun('export', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n\s+xfer export/);
  });
});
