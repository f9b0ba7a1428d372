import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { InitSeeds } from './init_seeds.js';

/*
 * The layer patterns Keras' Xception is made of, with its naming. Both the full Xception and the
 * small demo base are built from these, so the demo exercises the same code as the real recipe.
 * No convolution has a bias; BatchNormalization uses Keras' Xception epsilon of 1e-3.
 */

export interface BlockOptions {
  /** BatchNormalization momentum: Keras uses 0.99. */
  bnMomentum: number;
  /** Seeds of the convolution kernels' initializers. */
  seeds: InitSeeds;
}

function bn(name: string | undefined, o: BlockOptions): tfl.layers.Layer {
  return tfl.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: o.bnMomentum, name });
}

/** Conv2D → BN → ReLU, as Xception's entry convolutions (`block1_conv1` and friends). */
export function convBnRelu(x: SymbolicTensor, filters: number, strides: number, name: string, o: BlockOptions): SymbolicTensor {
  let y = tfl.layers
    .conv2d({ filters, kernelSize: 3, strides, padding: 'valid', useBias: false, name, kernelInitializer: o.seeds.glorotUniform() })
    .apply(x) as SymbolicTensor;
  y = bn(`${name}_bn`, o).apply(y) as SymbolicTensor;
  return tfl.layers.activation({ activation: 'relu', name: `${name}_act` }).apply(y) as SymbolicTensor;
}

/** SeparableConv2D(3x3, same) → BN. */
export function sepConvBn(x: SymbolicTensor, filters: number, name: string, o: BlockOptions): SymbolicTensor {
  const y = tfl.layers
    .separableConv2d({
      filters, kernelSize: 3, padding: 'same', useBias: false, name,
      depthwiseInitializer: o.seeds.glorotUniform(), pointwiseInitializer: o.seeds.glorotUniform(),
    })
    .apply(x) as SymbolicTensor;
  return bn(`${name}_bn`, o).apply(y) as SymbolicTensor;
}

export function relu(x: SymbolicTensor, name: string): SymbolicTensor {
  return tfl.layers.activation({ activation: 'relu', name }).apply(x) as SymbolicTensor;
}

/**
 * An entry-flow block (Xception blocks 2, 3, 4 and 13): a strided 1x1 Conv2D + BN residual, and
 * [ReLU] → SepConv → BN → ReLU → SepConv → BN → MaxPool(3, 2, same) on the main path.
 * Block 2 has no ReLU before its first separable convolution. The residual layers are unnamed in
 * Keras (conv2d, batch_normalization, …), so tfjs' automatic names are kept.
 */
export function downsampleBlock(
  x: SymbolicTensor,
  block: number,
  filters: [number, number],
  leadingRelu: boolean,
  o: BlockOptions,
): SymbolicTensor {
  let residual = tfl.layers
    .conv2d({ filters: filters[1], kernelSize: 1, strides: 2, padding: 'same', useBias: false, kernelInitializer: o.seeds.glorotUniform() })
    .apply(x) as SymbolicTensor;
  residual = bn(undefined, o).apply(residual) as SymbolicTensor;

  const p = `block${block}`;
  let y = leadingRelu ? relu(x, `${p}_sepconv1_act`) : x;
  y = sepConvBn(y, filters[0], `${p}_sepconv1`, o);
  y = relu(y, `${p}_sepconv2_act`);
  y = sepConvBn(y, filters[1], `${p}_sepconv2`, o);
  y = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: `${p}_pool` }).apply(y) as SymbolicTensor;
  return tfl.layers.add().apply([y, residual]) as SymbolicTensor;
}

/** A middle-flow block (Xception blocks 5–12): three ReLU → SepConv → BN steps and an identity residual. */
export function middleBlock(x: SymbolicTensor, block: number, filters: number, o: BlockOptions): SymbolicTensor {
  let y = x;
  for (let i = 1; i <= 3; i++) {
    y = relu(y, `block${block}_sepconv${i}_act`);
    y = sepConvBn(y, filters, `block${block}_sepconv${i}`, o);
  }
  return tfl.layers.add().apply([y, x]) as SymbolicTensor;
}

/** The exit convolutions (Xception block 14): SepConv → BN → ReLU, twice, no residual. */
export function exitBlock(x: SymbolicTensor, block: number, filters: [number, number], o: BlockOptions): SymbolicTensor {
  let y = sepConvBn(x, filters[0], `block${block}_sepconv1`, o);
  y = relu(y, `block${block}_sepconv1_act`);
  y = sepConvBn(y, filters[1], `block${block}_sepconv2`, o);
  return relu(y, `block${block}_sepconv2_act`);
}
