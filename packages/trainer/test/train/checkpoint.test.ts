import { promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { KerasAdam } from '../../src/train/adam.js';
import { clearCheckpoints, readCheckpoint, restoreOptimizer, saveCheckpoint } from '../../src/train/checkpoint.js';
import { tempDir } from '../helpers.js';

function tinyModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [3] });
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tfl.SymbolicTensor });
}

/** Adam after `steps` steps on a fixed problem; returns the optimizer and the model's variables. */
function trained(steps: number): { model: tfl.LayersModel; optimizer: KerasAdam } {
  const model = tinyModel();
  const optimizer = new KerasAdam(0.01);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  for (let i = 0; i < steps; i++) {
    const { grads, value } = tf.variableGrads(() => tf.tidy(() => tf.mean(tf.square(model.apply(tf.ones([2, 3])) as tf.Tensor))) as tf.Scalar, vars);
    optimizer.applyGradients(grads);
    tf.dispose([value, ...Object.values(grads)]);
  }
  return { model, optimizer };
}

describe('checkpoints', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
  });

  it('a restored optimizer continues bit for bit', async () => {
    const dir = tempDir('xfer-ckpt-');
    const a = trained(37);
    await saveCheckpoint(dir, a.model, a.optimizer, { phase: 0, epoch: 1, history: [] });
    const restored = new KerasAdam(0.01);
    await restoreOptimizer((await readCheckpoint(dir))!.dir, restored);
    expect(restored.iterations).toBe(37);
    const saved = await a.optimizer.getWeights();
    const back = await restored.getWeights();
    expect(back.map((w) => w.name)).toEqual(saved.map((w) => w.name));
    back.forEach((w, i) => expect([...w.tensor.dataSync()]).toEqual([...saved[i]!.tensor.dataSync()]));
    tf.dispose([a.model] as unknown as tf.Tensor[]);
  });

  it('a checkpoint leaks no tensor; a new one, and the end of the run, remove older ones and what a killed save left', async () => {
    const dir = tempDir('xfer-ckpt-');
    await fs.mkdir(path.join(dir, 'checkpoint-p0-e1'));
    await fs.mkdir(path.join(dir, '.checkpoint-p0-e2.partial-x1y2z3'));
    await fs.mkdir(path.join(dir, 'model'));
    const { model, optimizer } = trained(1);
    const tensors = tf.memory().numTensors;
    await saveCheckpoint(dir, model, optimizer, { phase: 0, epoch: 3, history: [] });
    expect(tf.memory().numTensors, 'a checkpoint leaves no tensor behind').toBe(tensors);
    expect((await fs.readdir(dir)).sort()).toEqual(['checkpoint-p0-e3', 'checkpoint.json', 'model']);
    await fs.mkdir(path.join(dir, '.checkpoint-p0-e4.partial-a1b2c3'));
    await clearCheckpoints(dir);
    expect(await fs.readdir(dir)).toEqual(['model']);
  });
});
