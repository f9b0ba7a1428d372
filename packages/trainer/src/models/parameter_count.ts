import * as tf from '@tensorflow/tfjs-core';
import { baseModel, type BaseName } from './base_model.js';
import { transferModel } from './transfer_model.js';

/**
 * Parameters of the recipe's transfer model (the base under a one-logit head) for this model and
 * input size, counted on the built model so that no table of numbers can drift from the
 * architecture (xception at 150: 20,863,529, Keras' figure; mini-xception: 94,921). Builds it on
 * the current tfjs backend, or tfjs' default where none is set yet, with random weights, and
 * disposes it: no tensors are left.
 *
 * @throws as xception() does for an image size below XCEPTION_MIN_SIZE.
 */
export function transferModelParams(config: { model: BaseName; imageSize: number }): number {
  // Callers may count before pickBackend has put tfjs in production mode (the CLI's preflight
  // does); the backend's first use would then print tfjs' "running in Node.js" banner.
  const prod = tf.env().getBool('PROD');
  tf.env().set('PROD', true);
  try {
    const inputShape: [number, number, number] = [config.imageSize, config.imageSize, 3];
    const model = transferModel(baseModel(config.model, { inputShape }));
    try {
      return model.countParams();
    } finally {
      model.dispose();
    }
  } finally {
    tf.env().set('PROD', prod);
  }
}
