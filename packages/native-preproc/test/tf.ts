/** tfjs-core + the stock cpu backend, as the independent resize reference. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

let ready: Promise<boolean> | undefined;

/**
 * TF2 tf.image.resize semantics: tfjs resizeBilinear with alignCorners=false,
 * halfPixelCenters=true (false gives the TF1 default), on float32 input.
 * Returns NHWC float32 values.
 */
export async function tfResizeBilinear(
  pixels: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  halfPixelCenters = true,
): Promise<Float32Array> {
  ready ??= tf.setBackend('cpu');
  await ready;
  return tf.tidy(() => {
    const img = tf.tensor4d(Float32Array.from(pixels), [1, height, width, 3], 'float32');
    return tf.image.resizeBilinear(img, [outHeight, outWidth], false, halfPixelCenters).dataSync() as Float32Array;
  });
}
