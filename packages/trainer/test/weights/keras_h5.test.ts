import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import h5wasm, { type Dataset } from 'h5wasm/node';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { xception } from '../../src/models/xception.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { assignKerasWeights, readKerasH5, writeKerasH5 } from '../../src/weights/keras_h5.js';

// Keras leaves Xception's residual layers unnamed: conv2d, conv2d_1, …, batch_normalization, …
function kerasNames(): (l: tfl.layers.Layer) => string {
  const seen = new Map<string, number>();
  return (l) => {
    if (l.name.startsWith('block') || l.name.startsWith('input')) return l.name;
    const base = l.getClassName() === 'Conv2D' ? 'conv2d' : l.getClassName() === 'BatchNormalization' ? 'batch_normalization' : 'add';
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  };
}

describe('Keras .h5 weights', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-h5-'));
    await pickBackend('wasm');
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('round-trips all of Xception through a Keras-layout file, pairing layers by position', async () => {
    const source = xception({ inputShape: [150, 150, 3] });
    const file = path.join(dir, 'xception_notop.h5');
    await writeKerasH5(source, file, kerasNames());

    // The file has Keras' layout: layer_names at the root, /<layer>/<layer>/<weight>:0 datasets.
    await h5wasm.ready;
    const f = new h5wasm.File(file, 'r');
    const names = f.attrs['layer_names']!.value as string[];
    expect(names).toHaveLength(132);
    expect(names).toContain('conv2d_3');
    expect(names).toContain('batch_normalization_3');
    expect(f.get('block1_conv1_bn')!.attrs['weight_names']!.value).toEqual([
      'block1_conv1_bn/gamma:0', 'block1_conv1_bn/beta:0', 'block1_conv1_bn/moving_mean:0', 'block1_conv1_bn/moving_variance:0',
    ]);
    expect((f.get('block2_sepconv1/block2_sepconv1/depthwise_kernel:0') as Dataset).shape).toEqual([3, 3, 64, 1]);
    f.close();

    const target = xception({ inputShape: [150, 150, 3] });
    assignKerasWeights(target, await readKerasH5(file), file);
    const a = source.getWeights();
    const b = target.getWeights();
    expect(b).toHaveLength(a.length);
    for (let i = 0; i < a.length; i++) {
      expect(b[i]!.shape).toEqual(a[i]!.shape);
      expect(tf.max(tf.abs(tf.sub(a[i]!, b[i]!))).dataSync()[0]).toBe(0);
    }
  }, 120_000);

  it('refuses a file whose shapes differ, naming the layer and both shapes, and changes nothing', async () => {
    const file = path.join(dir, 'narrow.h5');
    await writeKerasH5(miniXception({ inputShape: [64, 64, 3], widths: { entry: [8, 16], blocks: [32, 64], exit: [64, 96] } }), file);
    const target = miniXception({ inputShape: [64, 64, 3], widths: { entry: [8, 16], blocks: [32, 64], exit: [64, 128] } });
    const before = target.getWeights().map((w) => w.dataSync().slice());
    await expect(readKerasH5(file).then((l) => assignKerasWeights(target, l, file))).rejects.toThrow(
      /weight 1 of layer 'block4_sepconv2' \(file: 'block4_sepconv2\/block4_sepconv2\/pointwise_kernel:0'\) has shape \[1, 1, 64, 96\], the model expects \[1, 1, 64, 128\]/,
    );
    target.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(before[i]));
  });

  it('refuses a file with another number of weighted layers', async () => {
    const file = path.join(dir, 'small.h5');
    await writeKerasH5(miniXception({ inputShape: [64, 64, 3] }), file);
    const layers = await readKerasH5(file);
    expect(() => assignKerasWeights(xception({ inputShape: [150, 150, 3] }), layers, file)).toThrow(
      /has \d+ layers with weights but the model 'xception' has 80/,
    );
  });

  it('says what is wrong with a file that is not Keras weights', async () => {
    const file = path.join(dir, 'plain.h5');
    await h5wasm.ready;
    const f = new h5wasm.File(file, 'w');
    f.create_dataset({ name: 'x', data: new Float32Array([1]) });
    f.close();
    await expect(readKerasH5(file)).rejects.toThrow(/not a Keras weights file \(no 'layer_names' attribute/);
  });
});
