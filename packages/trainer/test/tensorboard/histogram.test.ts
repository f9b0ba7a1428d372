import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { histogram, weightHistograms } from '../../src/tensorboard/histogram.js';

describe('histogram', () => {
  it('counts values in equal-width buckets from min to max, the largest in the last', () => {
    const h = histogram([0, 1, 2, 3, 4, 10], 5);
    expect(h).toMatchObject({ min: 0, max: 10, num: 6, sum: 20, sumSquares: 130 });
    expect(h.bucketLimit).toEqual([2, 4, 6, 8, 10]);
    expect(h.bucket).toEqual([2, 2, 1, 0, 1]);
  });

  it('puts values that are all equal in one bucket, and an empty tensor in none', () => {
    expect(histogram([0.5, 0.5, 0.5])).toMatchObject({ min: 0.5, max: 0.5, num: 3, bucketLimit: [0.5], bucket: [3] });
    expect(histogram([])).toMatchObject({ num: 0, bucketLimit: [], bucket: [] });
  });
});

describe('weightHistograms', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
  });

  it("tags each weight as Keras' TensorBoard callback does, a nested model's under its own layers", () => {
    const inner = tfl.sequential({ name: 'base', layers: [tfl.layers.dense({ name: 'block1', units: 3, inputShape: [2] })] });
    const input = tfl.input({ shape: [2] });
    const output = tfl.layers.dense({ name: 'head', units: 1 }).apply(inner.apply(input)) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    const h = weightHistograms(model);
    expect(Object.keys(h).sort()).toEqual(['block1/bias/histogram', 'block1/kernel/histogram', 'head/bias/histogram', 'head/kernel/histogram']);
    expect(h['block1/kernel/histogram']!.num).toBe(6);
    expect(h['head/bias/histogram']).toMatchObject({ min: 0, max: 0, bucket: [1] });
    model.dispose();
    tf.disposeVariables();
  });
});
