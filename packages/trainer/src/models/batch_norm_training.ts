import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * The kernel that normalises a batch with its own statistics and returns them, with a gradient
 * of its own, where a backend registers it (the contract is in @xfer/native-kernels'
 * kernels/batch_norm.ts).
 */
const BATCH_NORM_TRAINING_KERNEL = 'XferBatchNormTraining';

/** The fields of tfjs-layers' BatchNormalization that its training-mode call uses. */
interface BatchNormLayer {
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tfl.LayerVariable;
  beta: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
  xferBatchKernel?: boolean;
}

/**
 * Makes every BatchNormalization layer of `model` (nested models included) that trains with
 * batch statistics do so in the backend's one-kernel form where the backend has it: the same
 * normalisation, moving-average updates and gradients as tfjs-layers' moments + batchNorm, whose
 * autodiff made a from-scratch step cost twice a fine-tune step. Elsewhere (another backend, or
 * a layer without both scale and centre on the last axis) the layer runs as it was.
 */
export function batchNormTrainingInOneKernel(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    if ('layers' in layer) batchNormTrainingInOneKernel(layer as unknown as tfl.LayersModel);
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const bn = layer as unknown as BatchNormLayer;
    if (bn.xferBatchKernel) continue;
    const call = bn.call.bind(bn);
    bn.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const lastAxis = bn.axis === -1 || bn.axis === x.rank - 1;
      const covered = kwargs['training'] === true && bn.center && bn.scale && lastAxis && x.dtype === 'float32';
      if (!covered || !tf.getKernel(BATCH_NORM_TRAINING_KERNEL, tf.getBackend())) return call(inputs, kwargs);
      return tf.tidy(() => {
        const operands = { x, scale: bn.gamma.read(), offset: bn.beta.read() };
        const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING_KERNEL, operands, { varianceEpsilon: bn.epsilon }) as tf.Tensor[];
        movingAverage(bn.movingMean, mean!, bn.momentum);
        movingAverage(bn.movingVariance, variance!, bn.momentum);
        return y!;
      });
    };
    bn.xferBatchKernel = true;
  }
}

/** moving ← moving − (moving − value)·(1 − momentum), tfjs-layers' update, in its operation order. */
function movingAverage(variable: tfl.LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = variable.read();
    variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)));
  });
}
