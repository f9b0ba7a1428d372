import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { SplitLoader } from '../data/split_loader.js';
import { sigmoidCrossEntropy, threshold, type AccuracyRule } from './metrics.js';

/** Loss, accuracy and the 2x2 confusion matrix of a split. */
export interface Evaluation {
  count: number;
  loss: number;
  accuracy: number;
  /** confusion[actual][predicted], class 0 first. */
  confusion: [[number, number], [number, number]];
}

/**
 * Runs the model in inference mode (no dropout, BatchNorm on moving statistics) over a split: one
 * pass of its Loader (epoch 0; an evaluation split neither shuffles nor augments).
 */
export async function evaluate(
  model: tfl.LayersModel,
  split: SplitLoader,
  options: { accuracyRule?: AccuracyRule; onProgress?: (done: number, total: number) => void } = {},
): Promise<Evaluation> {
  const t = threshold(options.accuracyRule ?? 'logit0');
  const confusion: Evaluation['confusion'] = [[0, 0], [0, 0]];
  let lossSum = 0;
  let count = 0;
  for await (const b of split.epoch(0)) {
    try {
      const [loss, logits] = tf.tidy(() => {
        const out = model.apply(b.x, { training: false }) as tf.Tensor;
        return [sigmoidCrossEntropy(b.y, out), out] as const;
      });
      lossSum += (await loss.data())[0]! * b.size;
      const predicted = await logits.data();
      const actual = await b.y.data();
      for (let i = 0; i < b.size; i++) {
        const a = actual[i]! > 0.5 ? 1 : 0;
        const p = predicted[i]! > t ? 1 : 0;
        confusion[a][p]++;
      }
      count += b.size;
      options.onProgress?.(count, split.count);
      tf.dispose([loss, logits]);
    } finally {
      tf.dispose([b.x, b.y]);
      b.release();
    }
  }
  const correct = confusion[0][0] + confusion[1][1];
  return { count, loss: count > 0 ? lossSum / count : NaN, accuracy: count > 0 ? correct / count : NaN, confusion };
}
