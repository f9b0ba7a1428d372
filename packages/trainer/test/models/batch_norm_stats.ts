import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Gives every batch norm of `model` moving statistics, scales and offsets far from their initial
 * 0/1, so that folding them is tested; layer i draws from seeds 4·(seed + i) to 4·(seed + i) + 3.
 */
export function randomiseBatchNorms(model: tfl.LayersModel, seed: number): void {
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const c = layer.getWeights()[0]!.shape[0]!;
    const s = seed++ * 4;
    layer.setWeights([
      tf.randomUniform([c], 0.5, 1.5, 'float32', s),
      tf.randomNormal([c], 0, 0.2, 'float32', s + 1),
      tf.randomNormal([c], 0, 0.2, 'float32', s + 2),
      tf.randomUniform([c], 0.5, 1.5, 'float32', s + 3),
    ]);
  }
}
