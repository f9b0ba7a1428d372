import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { seedDropout } from '../../src/train/dropout_seed.js';
import { dropoutSeed } from '../../src/train/seeds.js';

const widths = { entry: [4, 8] as [number, number], blocks: [8], exit: [8, 8] as [number, number] };

function weightsOf(seed?: number): Float32Array[] {
  const model = transferModel(miniXception({ inputShape: [32, 32, 3], widths, seed }), { seed: seed === undefined ? undefined : seed + 1 });
  const values = model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
  model.dispose();
  return values;
}

const same = (a: Float32Array[], b: Float32Array[]) => a.length === b.length && a.every((w, i) => w.every((v, j) => v === b[i]![j]));

describe('seeded initial weights and dropout masks', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
  });

  it('a seed fixes every initial weight; another seed, or none, gives others', () => {
    const a = weightsOf(7);
    expect(same(a, weightsOf(7))).toBe(true);
    expect(same(a, weightsOf(8))).toBe(false);
    expect(same(weightsOf(), weightsOf())).toBe(false);
  });

  it('each step draws its own dropout mask, and the same step draws it again', () => {
    const input = tfl.input({ shape: [64] });
    const model = tfl.model({ inputs: input, outputs: tfl.layers.dropout({ rate: 0.5 }).apply(input) as tfl.SymbolicTensor });
    const mask = (seed: number) => {
      seedDropout(model, seed);
      return tf.tidy(() => (model.apply(tf.ones([1, 64]), { training: true }) as tf.Tensor).dataSync().slice());
    };
    const first = mask(dropoutSeed(3, 1, 0));
    expect(first.some((v) => v === 0) && first.some((v) => v !== 0)).toBe(true);
    expect(Array.from(mask(dropoutSeed(3, 1, 0)))).toEqual(Array.from(first));
    expect(Array.from(mask(dropoutSeed(3, 1, 1)))).not.toEqual(Array.from(first));
    expect(Array.from(mask(dropoutSeed(3, 2, 0)))).not.toEqual(Array.from(first));
    model.dispose();
  });
});
