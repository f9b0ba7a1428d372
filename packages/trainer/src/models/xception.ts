import * as tfl from '@tensorflow/tfjs-layers';
import { InitSeeds } from './init_seeds.js';
import { convBnRelu, downsampleBlock, exitBlock, middleBlock, type BlockOptions } from './xception_blocks.js';

/** Options of `xception()`; the names follow keras.applications.Xception. */
export interface XceptionOptions {
  /** [height, width, 3]; at least 71x71. The recipe uses 150x150. */
  inputShape: [number, number, number];
  /** Seed of the random initial weights (moot once ImageNet weights are loaded); unseeded by default. */
  seed?: number;
}

/** The smallest input side Xception takes, as Keras' `applications.Xception` says. */
export const XCEPTION_MIN_SIZE = 71;

/**
 * Keras' Xception without its classifier (include_top=False): the same layers, names, order,
 * strides and padding, no convolution biases, BatchNormalization with epsilon 1e-3 and momentum
 * 0.99. At 150x150 its output is 5x5x2048 and it has 20,861,480 parameters.
 */
export function xception(options: XceptionOptions): tfl.LayersModel {
  const [h, w, c] = options.inputShape;
  if (h < XCEPTION_MIN_SIZE || w < XCEPTION_MIN_SIZE || c !== 3) {
    throw new Error(`xception: input shape must be at least [${XCEPTION_MIN_SIZE}, ${XCEPTION_MIN_SIZE}, 3], got [${options.inputShape.join(', ')}]`);
  }
  const o: BlockOptions = { bnMomentum: 0.99, seeds: new InitSeeds(options.seed) };
  const input = tfl.input({ shape: options.inputShape, name: 'input_1' });
  let x = convBnRelu(input, 32, 2, 'block1_conv1', o);
  x = convBnRelu(x, 64, 1, 'block1_conv2', o);
  x = downsampleBlock(x, 2, [128, 128], false, o);
  x = downsampleBlock(x, 3, [256, 256], true, o);
  x = downsampleBlock(x, 4, [728, 728], true, o);
  for (let block = 5; block <= 12; block++) x = middleBlock(x, block, 728, o);
  x = downsampleBlock(x, 13, [728, 1024], true, o);
  x = exitBlock(x, 14, [1536, 2048], o);
  return tfl.model({ inputs: input, outputs: x, name: 'xception' });
}
