import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { classScores } from '../../src/train/evaluate.js';
import { balancedClassWeights, Objective } from '../../src/train/metrics.js';

/** Sparse categorical cross-entropy of one row, from its logits, in plain arithmetic. */
function sparseCe(logits: number[], label: number): number {
  const max = Math.max(...logits);
  const logSum = Math.log(logits.reduce((a, z) => a + Math.exp(z - max), 0)) + max;
  return logSum - logits[label]!;
}

const sigmoidCe = (z: number, y: number) => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));

describe('the objective: classes as Keras reads them', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
  });

  const rows = [[2, -1, 0.5], [0.1, 0.2, 0.3], [-3, 4, 1], [1, 1, 1]];
  const labels = [0, 2, 1, 1];

  it('N > 2: N logits, sparse categorical cross-entropy from logits, argmax accuracy', () => {
    const o = new Objective(3);
    expect(o.units).toBe(3);
    const loss = o.loss(tf.tensor2d(labels, [4, 1]), tf.tensor2d(rows)).dataSync()[0]!;
    expect(loss).toBeCloseTo(rows.reduce((a, r, i) => a + sparseCe(r, labels[i]!), 0) / 4, 5);
    // Row 3 ties: argmax takes the first, class 0, so it is wrong.
    expect(Array.from(o.predict(tf.tensor2d(rows)).dataSync())).toEqual([0, 2, 1, 0]);
    expect(o.correct(tf.tensor2d(labels, [4, 1]), tf.tensor2d(rows)).dataSync()[0]).toBe(3);
  });

  it("class weights scale each example's loss and the mean still divides by the batch size, as Keras' class_weight", () => {
    const weights = [1, 3, 0.5];
    const o = new Objective(3, 'logit0', weights);
    const got = o.loss(tf.tensor2d(labels, [4, 1]), tf.tensor2d(rows)).dataSync()[0]!;
    expect(got).toBeCloseTo(rows.reduce((a, r, i) => a + weights[labels[i]!]! * sparseCe(r, labels[i]!), 0) / 4, 5);
    expect(o.unweighted().loss(tf.tensor2d(labels, [4, 1]), tf.tensor2d(rows)).dataSync()[0]).toBeCloseTo(
      rows.reduce((a, r, i) => a + sparseCe(r, labels[i]!), 0) / 4, 5,
    );
    const binary = new Objective(2, 'logit0', [2, 0.5]);
    const z = [0.3, -1.2, 2];
    const y = [1, 0, 0];
    const want = z.reduce((a, v, i) => a + (y[i] ? 0.5 : 2) * sigmoidCe(v, y[i]!), 0) / 3;
    expect(binary.loss(tf.tensor2d(y, [3, 1]), tf.tensor2d(z, [3, 1])).dataSync()[0]).toBeCloseTo(want, 5);
  });

  it('two classes keep the one-logit sigmoid head and its thresholds', () => {
    expect(new Objective(2).units).toBe(1);
    const z = tf.tensor2d([0.2, 0.4, -0.1], [3, 1]);
    expect(Array.from(new Objective(2).predict(z).dataSync())).toEqual([1, 1, 0]);
    expect(Array.from(new Objective(2, 'keras').predict(z).dataSync())).toEqual([0, 0, 0]);
    expect(() => new Objective(1)).toThrow(/at least 2 classes/);
  });

  it("'balanced' weights are scikit-learn's n / (classes · count)", () => {
    expect(balancedClassWeights([0, 0, 0, 1, 2, 2], 3)).toEqual([6 / 9, 6 / 3, 6 / 6]);
    expect(balancedClassWeights([0, 0], 3)).toEqual([2 / 6, 0, 0]);
  });

  it('per-class precision, recall, F1 and macro averages follow from the confusion matrix', () => {
    const s = classScores([[5, 1, 0], [2, 3, 1], [0, 0, 0]]);
    expect(s.perClass[0]).toEqual({ precision: 5 / 7, recall: 5 / 6, f1: (2 * (5 / 7) * (5 / 6)) / (5 / 7 + 5 / 6), support: 6 });
    expect(s.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(s.macro.recall).toBeCloseTo((5 / 6 + 3 / 6 + 0) / 3, 12);
  });
});
