import * as tf from '@tensorflow/tfjs-core';

/**
 * Where a binary logit counts as the positive class. xfer reports accuracy at logit 0 (p = 0.5).
 * Keras' BinaryAccuracy thresholds the raw output at 0.5, which on logits means p ≈ 0.62: use
 * `'keras'` for parity with its printed numbers. N-class accuracy is always the argmax.
 */
export type AccuracyRule = 'logit0' | 'keras';

export function threshold(rule: AccuracyRule): number {
  return rule === 'keras' ? 0.5 : 0;
}

/**
 * How a model's outputs are read, as Keras does it: two classes are one logit with sigmoid
 * cross-entropy (BinaryCrossentropy(from_logits=True)); N > 2 classes are N logits with sparse
 * categorical cross-entropy from logits. Labels arrive as class indices, shape [n, 1].
 */
export class Objective {
  /** Output units of the model: 1 for two classes, else one per class. */
  readonly units: number;

  /**
   * @param classes how many classes (at least 2)
   * @param weights Keras' class_weight: each example's loss is scaled by its class's weight, and the
   *   batch mean still divides by the batch size ('sum_over_batch_size').
   */
  constructor(
    readonly classes: number,
    readonly rule: AccuracyRule = 'logit0',
    readonly weights?: readonly number[],
  ) {
    if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`a classifier needs at least 2 classes, got ${classes}`);
    if (weights && weights.length !== classes) throw new RangeError(`class weights: ${weights.length} weights for ${classes} classes`);
    this.units = classes === 2 ? 1 : classes;
  }

  /** The same objective without class weights: Keras weights the training loss only. */
  unweighted(): Objective {
    return this.weights ? new Objective(this.classes, this.rule) : this;
  }

  /** The batch's mean loss. */
  loss(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      // The recipe's own loss, reduced exactly as before, so two-class figures stay bit for bit.
      if (this.units === 1 && !this.weights) return tf.losses.sigmoidCrossEntropy(labels, logits) as tf.Scalar;
      const perExample =
        this.units === 1
          ? tf.reshape(tf.losses.sigmoidCrossEntropy(labels, logits, undefined, undefined, tf.Reduction.NONE), [-1])
          : tf.neg(tf.sum(tf.mul(tf.oneHot(this.#indices(labels), this.units), tf.logSoftmax(logits)), 1));
      const weighted = this.weights ? tf.mul(perExample, tf.gather(tf.tensor1d(this.weights as number[]), this.#indices(labels))) : perExample;
      return tf.mean(weighted) as tf.Scalar;
    });
  }

  /** The predicted class of each example, int32 [n]. */
  predict(logits: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() =>
      this.units === 1 ? (tf.reshape(tf.cast(tf.greater(logits, threshold(this.rule)), 'int32'), [-1]) as tf.Tensor1D) : (tf.argMax(logits, 1) as tf.Tensor1D),
    );
  }

  /** How many predictions of the batch are right. */
  correct(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
    return tf.tidy(() => tf.sum(tf.cast(tf.equal(this.predict(logits), this.#indices(labels)), 'float32')) as tf.Scalar);
  }

  #indices(labels: tf.Tensor): tf.Tensor1D {
    return tf.reshape(tf.cast(labels, 'int32'), [-1]) as tf.Tensor1D;
  }
}

/** The two-class objective of the recipe, with this accuracy rule. */
export function binaryObjective(rule: AccuracyRule = 'logit0'): Objective {
  return new Objective(2, rule);
}

/**
 * Keras-style 'balanced' class weights (scikit-learn's compute_class_weight, which Keras' guides
 * use): n / (classes · count of the class). A class without examples gets weight 0.
 */
export function balancedClassWeights(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts.map((c) => (c === 0 ? 0 : labels.length / (classes * c)));
}
