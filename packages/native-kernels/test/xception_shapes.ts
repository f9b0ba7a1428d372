/**
 * The convolution geometries of Xception at 150x150 (REFERENCE.md), at batch 2. Spatial sizes,
 * kernels, strides and padding are Xception's; channel counts are cut where tfjs's stock
 * Conv2DBackpropFilter (the reference, about 0.01 GFLOP/s) would take minutes, but keep values
 * that are not multiples of oneDNN's 16-channel blocks (728 and odd counts), whose tail handling
 * differs.
 */
export interface ConvCase {
  name: string;
  /** [N, H, W, C] */
  x: [number, number, number, number];
  k: number;
  out: number;
  stride: number;
  pad: 'same' | 'valid';
}

export const DENSE_CASES: ConvCase[] = [
  { name: 'block1_conv1 3x3/2 valid', x: [2, 150, 150, 3], k: 3, out: 8, stride: 2, pad: 'valid' },
  { name: 'block1_conv2 3x3/1 valid', x: [2, 74, 74, 8], k: 3, out: 12, stride: 1, pad: 'valid' },
  { name: 'residual 1x1/2 same (block2)', x: [2, 72, 72, 12], k: 1, out: 20, stride: 2, pad: 'same' },
  { name: 'residual 1x1/2 same (block13, 728 in)', x: [2, 9, 9, 728], k: 1, out: 24, stride: 2, pad: 'same' },
  { name: 'pointwise 1x1/1 (block4, 728 out)', x: [2, 18, 18, 20], k: 1, out: 728, stride: 1, pad: 'valid' },
  { name: 'pointwise 1x1/1 (block14)', x: [2, 5, 5, 72], k: 1, out: 40, stride: 1, pad: 'valid' },
  { name: '3x3/2 same, odd size', x: [2, 9, 9, 7], k: 3, out: 5, stride: 2, pad: 'same' },
];

/** Depthwise 3x3, stride 1, same: every SeparableConv2D of Xception (multiplier 1). */
export const DEPTHWISE_CASES: ConvCase[] = [
  { name: 'block2 72x72', x: [2, 72, 72, 32], k: 3, out: 32, stride: 1, pad: 'same' },
  { name: 'block4 18x18', x: [2, 18, 18, 256], k: 3, out: 256, stride: 1, pad: 'same' },
  { name: 'middle flow 9x9x728', x: [2, 9, 9, 728], k: 3, out: 728, stride: 1, pad: 'same' },
  { name: 'block14 5x5x1536', x: [2, 5, 5, 1536], k: 3, out: 1536, stride: 1, pad: 'same' },
  { name: 'stride 2 valid, odd channels', x: [2, 11, 11, 13], k: 3, out: 13, stride: 2, pad: 'valid' },
  { name: 'multiplier 2', x: [2, 12, 12, 6], k: 3, out: 12, stride: 1, pad: 'same' },
];
