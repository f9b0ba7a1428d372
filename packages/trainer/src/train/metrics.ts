import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean sigmoid cross-entropy of logits against 0/1 labels (Keras BinaryCrossentropy(from_logits=True)).
 * tfjs' binaryCrossentropy expects probabilities, so it is not used.
 */
export function sigmoidCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.losses.sigmoidCrossEntropy(labels, logits) as tf.Scalar;
}

/**
 * Where a logit counts as the positive class. xfer reports accuracy at logit 0 (p = 0.5). Keras'
 * BinaryAccuracy thresholds the raw output at 0.5, which on logits means p ≈ 0.62: use `'keras'`
 * for parity with its printed numbers.
 */
export type AccuracyRule = 'logit0' | 'keras';

export function threshold(rule: AccuracyRule): number {
  return rule === 'keras' ? 0.5 : 0;
}

/** Number of correct predictions in a batch, under the given rule. */
export function countCorrect(labels: tf.Tensor, logits: tf.Tensor, rule: AccuracyRule): tf.Scalar {
  return tf.tidy(() => {
    const predicted = tf.cast(tf.greater(logits, threshold(rule)), 'float32');
    return tf.sum(tf.cast(tf.equal(predicted, labels), 'float32')) as tf.Scalar;
  });
}
