import { backend_util } from '@tensorflow/tfjs-core';

import type { ConvGeometryArray, PoolGeometryArray } from './binding.js';

/**
 * The addon's convolution geometry from tfjs's own resolution of the attributes, so padding and
 * output sizes are exactly tfjs's. Returns undefined where oneDNN's padding model cannot express
 * it (the kernel then falls back to tfjs).
 */
export function convGeometry(info: backend_util.Conv2DInfo, depthwise: boolean): ConvGeometryArray | undefined {
  if (info.dataFormat !== 'channelsLast') return undefined;
  const p = info.padInfo;
  if (p.top < 0 || p.left < 0 || p.bottom < 0 || p.right < 0) return undefined;
  // oneDNN computes the output size as floor((in − k_eff + pads) / s) + 1 and insists it matches:
  // trailing rows a strided 'valid' convolution never reaches are fine, too little padding is not.
  const fits = (inSize: number, eff: number, a: number, b: number, s: number, out: number) =>
    Math.floor((inSize - eff + a + b) / s) + 1 === out;
  if (!fits(info.inHeight, info.effectiveFilterHeight, p.top, p.bottom, info.strideHeight, info.outHeight)) return undefined;
  if (!fits(info.inWidth, info.effectiveFilterWidth, p.left, p.right, info.strideWidth, info.outWidth)) return undefined;
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.dilationHeight, info.dilationWidth,
    p.top, p.left, p.bottom, p.right,
    depthwise ? info.inChannels : 1,
  ];
}

/** The addon's pooling geometry from tfjs's resolution (computePool2DInfo). */
export function poolGeometry(info: backend_util.Conv2DInfo): PoolGeometryArray | undefined {
  if (info.dataFormat !== 'channelsLast') return undefined;
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth,
    info.effectiveFilterHeight, info.effectiveFilterWidth, info.strideHeight, info.strideWidth,
    info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left,
  ];
}
