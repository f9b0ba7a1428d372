import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { batches } from '../data/batches.js';
import type { DecodedSplit } from '../data/decoded_split.js';
import { sigmoidCrossEntropy, threshold, type AccuracyRule } from './metrics.js';

/** Loss, accuracy and the 2x2 confusion matrix of a split. */
export interface Evaluation {
  count: number;
  loss: number;
  accuracy: number;
  /** confusion[actual][predicted], class 0 first. */
  confusion: [[number, number], [number, number]];
}

/** Runs the model in inference mode (no dropout, BatchNorm on moving statistics) over a split. */
export async function evaluate(
  model: tfl.LayersModel,
  split: DecodedSplit,
  options: { batchSize: number; accuracyRule?: AccuracyRule },
): Promise<Evaluation> {
  const t = threshold(options.accuracyRule ?? 'logit0');
  const confusion: Evaluation['confusion'] = [[0, 0], [0, 0]];
  let lossSum = 0;
  for (const b of batches(split, { batchSize: options.batchSize })) {
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
    tf.dispose([loss, logits, b.x, b.y]);
  }
  const correct = confusion[0][0] + confusion[1][1];
  return {
    count: split.count,
    loss: split.count > 0 ? lossSum / split.count : NaN,
    accuracy: split.count > 0 ? correct / split.count : NaN,
    confusion,
  };
}
