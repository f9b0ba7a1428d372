import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { SplitLoader } from '../data/split_loader.js';
import { binaryObjective, type Objective } from './metrics.js';

/** Precision, recall and F1 of one class (0 where undefined, as scikit-learn's zero_division=0). */
export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Examples of the class in the split. */
  support: number;
}

/** Loss, accuracy, the confusion matrix and per-class scores of a split. */
export interface Evaluation {
  count: number;
  /** Mean loss, without class weights. */
  loss: number;
  accuracy: number;
  /** Share of examples whose class is among the 5 highest logits; only when there are more than 5 classes. */
  top5Accuracy?: number;
  /** confusion[actual][predicted], classes in order. */
  confusion: number[][];
  perClass: ClassScores[];
  /** Unweighted means of the per-class precision, recall and F1. */
  macro: { precision: number; recall: number; f1: number };
}

/** Per-class and macro scores from a confusion matrix. */
export function classScores(confusion: readonly (readonly number[])[]): Pick<Evaluation, 'perClass' | 'macro'> {
  const n = confusion.length;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  const perClass = confusion.map((row, k) => {
    const tp = row[k]!;
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + r[k]!, 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const mean = (key: 'precision' | 'recall' | 'f1') => perClass.reduce((a, c) => a + c[key], 0) / n;
  return { perClass, macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') } };
}

/**
 * Runs the model in inference mode (no dropout, BatchNorm on moving statistics) over a split: one
 * pass of its Loader (epoch 0; an evaluation split neither shuffles nor augments).
 */
export async function evaluate(
  model: tfl.LayersModel,
  split: SplitLoader,
  options: { objective?: Objective; onProgress?: (done: number, total: number) => void } = {},
): Promise<Evaluation> {
  const objective = (options.objective ?? binaryObjective()).unweighted();
  const k = objective.classes;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let lossSum = 0;
  let count = 0;
  let top5 = 0;
  for await (const b of split.epoch(0)) {
    try {
      const [loss, predicted, inTop5] = tf.tidy(() => {
        const logits = model.apply(b.x, { training: false }) as tf.Tensor;
        const top = k > 5 ? tf.sum(tf.cast(tf.any(tf.equal(tf.topk(logits, 5).indices, tf.cast(b.y, 'int32')), 1), 'float32')) : tf.scalar(0);
        return [objective.loss(b.y, logits), objective.predict(logits), top] as const;
      });
      lossSum += (await loss.data())[0]! * b.size;
      top5 += (await inTop5.data())[0]!;
      const got = await predicted.data();
      const actual = await b.y.data();
      for (let i = 0; i < b.size; i++) confusion[actual[i]!]![got[i]!]!++;
      count += b.size;
      options.onProgress?.(count, split.count);
      tf.dispose([loss, predicted, inTop5]);
    } finally {
      tf.dispose([b.x, b.y]);
      b.release();
    }
  }
  const correct = confusion.reduce((a, row, i) => a + row[i]!, 0);
  return {
    count,
    loss: count > 0 ? lossSum / count : NaN,
    accuracy: count > 0 ? correct / count : NaN,
    ...(k > 5 ? { top5Accuracy: count > 0 ? top5 / count : NaN } : {}),
    confusion,
    ...classScores(confusion),
  };
}
