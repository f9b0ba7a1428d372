import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { seedDropout } from './dropout_seed.js';
import type { Objective } from './metrics.js';

/** What one optimisation step needs. */
export interface StepInputs {
  /** The model whose Dropout layers get `dropoutSeed`. */
  model: tfl.LayersModel;
  /** The forward pass in training mode, from the batch input to logits. */
  forward: (x: tf.Tensor) => tf.Tensor;
  x: tf.Tensor;
  y: tf.Tensor;
  vars: tf.Variable[];
  optimizer: tf.Optimizer;
  objective: Objective;
  dropoutSeed: number;
}

/**
 * One step: the forward pass with this step's dropout masks, the objective's loss on the logits,
 * gradients of `vars` and the optimizer's update. Returns the batch's mean loss and how many of
 * its predictions were right. The caller keeps ownership of x and y.
 */
export async function trainStep(s: StepInputs): Promise<{ loss: number; correct: number }> {
  let right: tf.Scalar | undefined;
  seedDropout(s.model, s.dropoutSeed);
  const { value, grads } = tf.variableGrads(() => {
    const logits = s.forward(s.x);
    right = tf.keep(s.objective.correct(s.y, logits));
    return s.objective.loss(s.y, logits);
  }, s.vars);
  s.optimizer.applyGradients(grads as Parameters<typeof s.optimizer.applyGradients>[0]);
  const loss = (await value.data())[0]!;
  const correct = (await right!.data())[0]!;
  tf.dispose([value, right!, ...Object.values(grads)]);
  return { loss, correct };
}
