import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfl from '@tensorflow/tfjs-layers';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { xception } from '../../src/models/xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { miniXception } from '../../src/models/mini_xception.js';

function counts(model: tfl.LayersModel): { total: number; trainable: number; nonTrainable: number } {
  const size = (ws: tfl.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  const trainable = size(model.trainableWeights);
  const nonTrainable = size(model.nonTrainableWeights);
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}

// Reference figures are Keras' model.summary() for the recipe (REFERENCE.md, the seed notes).
describe('xception at 150x150 as Keras builds it', () => {
  let base: tfl.LayersModel;
  beforeAll(async () => {
    await pickBackend('wasm');
    base = xception({ inputShape: [150, 150, 3] });
  });

  it('has 132 layers, Keras names, and outputs 5x5x2048', () => {
    expect(base.layers.length).toBe(132);
    expect(base.outputs[0]!.shape).toEqual([null, 5, 5, 2048]);
    const names = base.layers.map((l) => l.name);
    expect(names.slice(0, 5)).toEqual(['input_1', 'block1_conv1', 'block1_conv1_bn', 'block1_conv1_act', 'block1_conv2']);
    expect(names.slice(-3)).toEqual(['block14_sepconv2', 'block14_sepconv2_bn', 'block14_sepconv2_act']);
    for (const n of ['block2_pool', 'block5_sepconv3_bn', 'block12_sepconv1_act', 'block13_sepconv2', 'block14_sepconv1_act']) {
      expect(names).toContain(n);
    }
  });

  it('has no convolution bias, BN epsilon 1e-3 and momentum 0.99, and the documented layer groups', () => {
    const byClass = new Map<string, tfl.layers.Layer[]>();
    for (const l of base.layers) byClass.set(l.getClassName(), [...(byClass.get(l.getClassName()) ?? []), l]);
    const params = (cls: string) => (byClass.get(cls) ?? []).reduce((n, l) => n + l.countParams(), 0);
    expect(byClass.get('Conv2D')).toHaveLength(6);
    expect(params('Conv2D')).toBe(992_096);
    expect(byClass.get('SeparableConv2D')).toHaveLength(34);
    expect(params('SeparableConv2D')).toBe(19_760_328);
    expect(byClass.get('BatchNormalization')).toHaveLength(40);
    expect(params('BatchNormalization')).toBe(2 * 54_528);
    for (const l of [...byClass.get('Conv2D')!, ...byClass.get('SeparableConv2D')!]) {
      expect((l.getConfig() as { useBias: boolean }).useBias).toBe(false);
    }
    for (const l of byClass.get('BatchNormalization')!) {
      expect(l.getConfig()).toMatchObject({ epsilon: 1e-3, momentum: 0.99 });
    }
  });

  it('the frozen transfer model counts 20,863,529 / 2,049 / 20,861,480, and 20,809,001 / 54,528 unfrozen', () => {
    const model = transferModel(base);
    base.trainable = false;
    expect(counts(model)).toEqual({ total: 20_863_529, trainable: 2_049, nonTrainable: 20_861_480 });
    base.trainable = true;
    expect(counts(model)).toEqual({ total: 20_863_529, trainable: 20_809_001, nonTrainable: 54_528 });
    expect(model.outputs[0]!.shape).toEqual([null, 1]);
  });
});

describe('the demo base', () => {
  it('is built from the same blocks and ends in a small feature map', async () => {
    await pickBackend('wasm');
    const m = miniXception({ inputShape: [150, 150, 3] });
    const names = m.layers.map((l) => l.name);
    expect(names).toContain('block2_sepconv1_bn');
    expect(names).toContain('block2_pool');
    expect(m.outputs[0]!.shape).toEqual([null, 5, 5, 192]);
  });
});
