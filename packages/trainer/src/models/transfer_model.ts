import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { batchNormTrainingInOneKernel } from './batch_norm_training.js';
import { fuseConvBatchNorm } from './conv_batch_norm.js';
import { batchNormInInferenceMode } from './inference_batch_norm.js';
import { InitSeeds } from './init_seeds.js';

/** Options of the recipe's transfer head. */
export interface TransferModelOptions {
  /** Dropout rate before the classifier; the recipe uses 0.2. */
  dropout?: number;
  /** Output units: 1 (a logit) for two classes, else one logit per class. */
  units?: number;
  /**
   * How the base's BatchNormalization layers behave in training: 'inference' (default, the
   * recipe's `base_model(x, training=False)`: moving statistics used and never updated) for a
   * pretrained base; 'batch' (ordinary training) for a base trained from scratch.
   */
  baseBatchNorm?: 'inference' | 'batch';
  /** Seed of the classifier's initial weights; unseeded by default. */
  seed?: number;
}

/**
 * The recipe's model: Rescaling(1/127.5, −1) → base (BatchNorm in inference mode) →
 * GlobalAveragePooling2D → Dropout → Dense.
 * The input is raw pixels in [0, 255]; the output is logits (no activation).
 */
export function transferModel(base: tfl.LayersModel, options: TransferModelOptions = {}): tfl.LayersModel {
  if ((options.baseBatchNorm ?? 'inference') === 'inference') batchNormInInferenceMode(base);
  else batchNormTrainingInOneKernel(base);
  fuseConvBatchNorm(base);
  const shape = base.inputs[0]?.shape.slice(1) as number[];
  const input = tfl.input({ shape, name: 'image' });
  let x = tfl.layers.rescaling({ scale: 1 / 127.5, offset: -1, name: 'rescaling' }).apply(input) as SymbolicTensor;
  x = base.apply(x) as SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x) as SymbolicTensor;
  x = tfl.layers.dropout({ rate: options.dropout ?? 0.2, name: 'dropout' }).apply(x) as SymbolicTensor;
  const out = tfl.layers
    .dense({ units: options.units ?? 1, name: 'dense', kernelInitializer: new InitSeeds(options.seed).glorotUniform() })
    .apply(x) as SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out, name: 'transfer_model' });
}
