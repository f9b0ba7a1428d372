import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { KerasAdam } from '../../src/train/adam.js';

interface Fixture {
  start: number[];
  grads: number[][];
  cases: Array<{ learningRate: number; after: number[][] }>;
}

// keras.optimizers.Adam's own updates (tools/fixtures/keras_adam.py).
const fixture = JSON.parse(
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/keras_adam.json'), 'utf8'),
) as Fixture;

/** `steps` updates of one variable from the fixture's start; returns the values after each. */
function run(optimizer: tf.Optimizer, steps: number): number[][] {
  const v = tf.variable(tf.tensor1d(fixture.start), true, `adam-test-${Math.random()}`);
  const out: number[][] = [];
  for (const g of fixture.grads.slice(0, steps)) {
    optimizer.applyGradients({ [v.name]: tf.tensor1d(g) });
    out.push([...v.dataSync()]);
  }
  v.dispose();
  return out;
}

describe('XferKerasAdam', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
  });

  it.each(fixture.cases)('updates as keras.optimizers.Adam does (lr $learningRate), down to gradients of 1e-9', ({ learningRate, after }) => {
    const got = run(new KerasAdam(learningRate), fixture.grads.length);
    got.forEach((values, step) =>
      values.forEach((v, i) => expect(Math.abs(v - after[step]![i]!), `step ${step + 1}, value ${i}`).toBeLessThan(1e-3 * learningRate)),
    );
  });

  it("differs from tfjs' Adam on small gradients, which is why xfer has its own", () => {
    const { learningRate, after } = fixture.cases[0]!;
    const tfjs = run(tf.train.adam(learningRate, 0.9, 0.999, 1e-7), 1)[0]!;
    // A gradient of 1e-6: tfjs moves the weight by ~0.9 lr, Keras by ~0.24 lr.
    expect(Math.abs(tfjs[2]! - after[0]![2]!)).toBeGreaterThan(0.5 * learningRate);
  });

  it('saves and restores its state so that the next steps are bit for bit the same', async () => {
    const a = new KerasAdam(1e-3);
    const v = tf.variable(tf.tensor1d(fixture.start), true, 'adam-restore-a');
    const w = tf.variable(tf.tensor1d(fixture.start), true, 'adam-restore-b');
    const step = (o: tf.Optimizer, x: tf.Variable, g: number[]) => o.applyGradients({ [x.name]: tf.tensor1d(g) });
    step(a, v, fixture.grads[0]!);
    step(a, v, fixture.grads[1]!);
    const saved = await a.getWeights();
    expect(saved.map((s) => s.name)).toEqual(['iter', 'adam-restore-a/m', 'adam-restore-a/v']);
    const b = new KerasAdam(1e-3);
    w.assign(v);
    await b.setWeights(saved.map((s) => ({ name: s.name, tensor: s.tensor.clone() })));
    expect(b.iterations).toBe(2);
    for (const g of fixture.grads.slice(2)) {
      step(a, v, g);
      step(b, w, g);
    }
    expect([...w.dataSync()]).toEqual([...v.dataSync()]);
    a.dispose();
    b.dispose();
    tf.dispose([v, w]);
  });

  it("updates bit for bit as its ops do when the backend's KerasAdam kernel does it in one call", () => {
    const kernel = tf.getKernel('XferKerasAdam', 'cpu');
    expect(kernel, 'pickBackend registers @xfer/native-kernels, whose KerasAdam kernel this checks').toBeDefined();
    const shapes = [[3, 3, 8, 16], [16], [1000, 7], [5]];
    const run = (tag: string) => {
      const vars = shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', i + 1), true, `adam-kernel-${tag}-${i}`));
      const optimizer = new KerasAdam(1e-3);
      for (let step = 0; step < 3; step++) {
        // The third variable has no gradient at the second step, as a frozen layer would.
        const grads = vars.map((v, i) => ({
          name: v.name,
          tensor: step === 1 && i === 2 ? (null as unknown as tf.Tensor) : tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', 10 * step + i + 1), 10 ** -(i + 2)),
        }));
        optimizer.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor).filter((t) => t != null));
      }
      const out = vars.map((v) => [...v.dataSync()]);
      tf.dispose(vars);
      optimizer.dispose();
      return out;
    };
    const fused = run('fused');
    tf.unregisterKernel('XferKerasAdam', 'cpu');
    try {
      expect(fused).toEqual(run('ops'));
    } finally {
      tf.registerKernel(kernel!);
    }
  });
});
