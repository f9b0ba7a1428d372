import * as tfl from '@tensorflow/tfjs-layers';
import { InitSeeds } from './init_seeds.js';
import { convBnRelu, downsampleBlock, exitBlock, type BlockOptions } from './xception_blocks.js';

/** Options of the small Xception-like base used for the demo and the tests. */
export interface MiniXceptionOptions {
  /** [height, width, 3]; the recipe uses 150x150. */
  inputShape: [number, number, number];
  /** Widths of the entry convolutions, the downsampling blocks and the exit block. */
  widths?: { entry: [number, number]; blocks: number[]; exit: [number, number] };
  /**
   * BatchNormalization momentum. 0.9 rather than Keras' 0.99: a demo run is a few hundred steps,
   * too few for 0.99's moving statistics to forget their initial values.
   */
  bnMomentum?: number;
  /** Seed of the random initial weights; unseeded by default. */
  seed?: number;
}

// Narrow entry convolutions: at 74x74 and 36x36 they cost most of a training step on two cores.
const DEFAULT_WIDTHS = { entry: [8, 16] as [number, number], blocks: [32, 64, 128], exit: [128, 192] as [number, number] };

/**
 * A small base with Xception's structure (entry convolutions, residual separable blocks with
 * max-pool downsampling, exit separable convolutions), built from the same blocks as `xception()`.
 * Its output is the last feature map; the transfer head pools it.
 */
export function miniXception(options: MiniXceptionOptions): tfl.LayersModel {
  const widths = options.widths ?? DEFAULT_WIDTHS;
  const o: BlockOptions = { bnMomentum: options.bnMomentum ?? 0.9, seeds: new InitSeeds(options.seed) };
  const input = tfl.input({ shape: options.inputShape, name: 'input' });
  let x = convBnRelu(input, widths.entry[0], 2, 'block1_conv1', o);
  x = convBnRelu(x, widths.entry[1], 2, 'block1_conv2', o);
  widths.blocks.forEach((f, i) => {
    x = downsampleBlock(x, i + 2, [f, f], i > 0, o);
  });
  x = exitBlock(x, widths.blocks.length + 2, widths.exit, o);
  return tfl.model({ inputs: input, outputs: x, name: 'mini_xception' });
}
