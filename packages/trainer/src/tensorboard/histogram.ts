import type * as tfl from '@tensorflow/tfjs-layers';
import { kerasLayerNames } from '../weights/keras_export.js';
import { kerasWeightNames } from '../weights/keras_legacy_h5.js';

/** TensorFlow's HistogramProto: each bucket counts the values up to its limit, above the previous one's. */
export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

/**
 * Equal-width buckets from the smallest value to the largest, 30 as tf.summary.histogram makes
 * them; values that are all equal make one bucket.
 */
export function histogram(values: ArrayLike<number>, buckets = 30): Histogram {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    sumSquares += v * v;
  }
  if (values.length === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  const count = max > min ? buckets : 1;
  const width = (max - min) / count;
  const bucket = new Array<number>(count).fill(0);
  for (let i = 0; i < values.length; i++) bucket[count === 1 ? 0 : Math.min(count - 1, Math.floor((values[i]! - min) / width))]!++;
  const bucketLimit = bucket.map((_, i) => (i === count - 1 ? max : min + (i + 1) * width));
  return { min, max, num: values.length, sum, sumSquares, bucketLimit, bucket };
}

/**
 * A histogram of every weight of the model, trainable or not, tagged as Keras' TensorBoard
 * callback tags them: `<layer>/<weight>/histogram`, a nested base's weights under their own layers.
 */
export function weightHistograms(model: tfl.LayersModel): Record<string, Histogram> {
  const names = kerasLayerNames(model);
  const out: Record<string, Histogram> = {};
  for (const layer of model.layers) {
    const tags = kerasWeightNames(layer, names(layer), names);
    layer.weights.forEach((w, i) => {
      out[`${tags[i]!.replace(/:0$/, '')}/histogram`] = histogram(w.read().dataSync());
    });
  }
  return out;
}
