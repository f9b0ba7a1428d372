import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import h5wasm, { type Dataset } from 'h5wasm/node';
import yazl from 'yazl';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { xception } from '../../src/models/xception.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { writeKerasH5 } from '../../src/weights/keras_legacy_h5.js';
import { assignKerasWeights, loadKerasWeights, readKerasWeights } from '../../src/weights/keras_weights.js';
import { tempDir } from '../helpers.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/keras');
const SIZE = 16;

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

/** tools/fixtures/keras_weights.py's `xception_like`, layer for layer; the residual layers unnamed as there. */
function xceptionLike(): tfl.LayersModel {
  const input = tfl.input({ shape: [SIZE, SIZE, 3] });
  const bn = (name?: string) => tfl.layers.batchNormalization({ epsilon: 1e-3, name });
  let x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, useBias: false, name: 'block1_conv1' }).apply(input) as SymbolicTensor;
  x = bn('block1_conv1_bn').apply(x) as SymbolicTensor;
  x = tfl.layers.activation({ activation: 'relu', name: 'block1_conv1_act' }).apply(x) as SymbolicTensor;
  let residual = tfl.layers.conv2d({ filters: 16, kernelSize: 1, strides: 2, padding: 'same', useBias: false }).apply(x) as SymbolicTensor;
  residual = bn().apply(residual) as SymbolicTensor;
  x = tfl.layers.separableConv2d({ filters: 16, kernelSize: 3, padding: 'same', useBias: false, name: 'block2_sepconv1' }).apply(x) as SymbolicTensor;
  x = bn('block2_sepconv1_bn').apply(x) as SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'block2_pool' }).apply(x) as SymbolicTensor;
  x = tfl.layers.add().apply([x, residual]) as SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as SymbolicTensor;
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2, name: 'predictions' }).apply(x) as SymbolicTensor });
}

/** The fixture script's `keras2_like` (Keras 2 as TensorFlow bundles it has no BatchNormalization). */
function keras2Like(): tfl.LayersModel {
  const input = tfl.input({ shape: [SIZE, SIZE, 3] });
  let x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, name: 'block1_conv1' }).apply(input) as SymbolicTensor;
  x = tfl.layers.activation({ activation: 'relu', name: 'block1_conv1_act' }).apply(x) as SymbolicTensor;
  const y = tfl.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'block2_sepconv1' }).apply(x) as SymbolicTensor;
  x = tfl.layers.add().apply([x, y]) as SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as SymbolicTensor;
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2, name: 'predictions' }).apply(x) as SymbolicTensor });
}

/** The fixture script's `fixed_input()`: sin(0.37 i), computed in float64 and stored as float32. */
function fixedInput(): tf.Tensor {
  return tf.tensor4d(Float32Array.from({ length: 2 * SIZE * SIZE * 3 }, (_, i) => Math.sin(0.37 * i)), [2, SIZE, SIZE, 3]);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('Keras weights files', () => {
  beforeAll(async () => {
    await pickBackend('wasm');
  });

  // Each file was written by real Keras (tools/fixtures/keras_weights.py); Keras' own output on a
  // fixed input is the reference, so a weight paired with the wrong layer shows up.
  it.each([
    ['keras3_legacy.h5', 'legacy-h5', xceptionLike],
    ['keras3_chunked.h5', 'legacy-h5', xceptionLike],
    ['keras3_model.h5', 'legacy-h5', xceptionLike],
    ['keras3.weights.h5', 'keras-v3', xceptionLike],
    ['keras3.keras', 'keras-v3', xceptionLike],
    ['keras2_legacy.h5', 'legacy-h5', keras2Like],
    ['keras2_fixed_strings.h5', 'legacy-h5', keras2Like],
  ] as const)('loads %s (%s) and gives the output Keras gave', async (name, format, build) => {
    const file = path.join(fixtures, name);
    const weights = await readKerasWeights(file);
    expect(weights.format).toBe(format);
    const model = build();
    assignKerasWeights(model, weights, file);
    const expected = (JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { output: number[][] }).output.flat();
    const got = tf.tidy(() => (model.predict(fixedInput()) as tf.Tensor).dataSync());
    // float32 in both; measured ≤ 1e-6.
    expect(maxAbsDiff(got, expected)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('keeps the layers without weights of a legacy file in their places, with no weights', async () => {
    const { layers } = (await readKerasWeights(path.join(fixtures, 'keras3_legacy.h5'))) as { layers: Array<{ name: string; weights: unknown[] }> };
    expect(layers.map((l) => `${l.name}:${l.weights.length}`)).toEqual([
      'input_layer:0', 'block1_conv1:1', 'block1_conv1_bn:4', 'block1_conv1_act:0', 'block2_sepconv1:2', 'block2_sepconv1_bn:4',
      'conv2d_1:1', 'block2_pool:0', 'batch_normalization_1:4', 'add:0', 'avg_pool:0', 'predictions:2',
    ]);
  });

  it('round-trips all of Xception through an xfer-written legacy file, pairing layers by position', async () => {
    const dir = tempDir('xfer-h5-');
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
    await loadKerasWeights(target, file);
    const a = source.getWeights();
    const b = target.getWeights();
    expect(b).toHaveLength(a.length);
    for (let i = 0; i < a.length; i++) {
      expect(b[i]!.shape).toEqual(a[i]!.shape);
      expect(tf.max(tf.abs(tf.sub(a[i]!, b[i]!))).dataSync()[0]).toBe(0);
    }
  }, 120_000);

  it('refuses a file whose shapes differ, naming the layer and both shapes, and changes nothing', async () => {
    const file = path.join(tempDir('xfer-h5-'), 'narrow.h5');
    await writeKerasH5(miniXception({ inputShape: [64, 64, 3], widths: { entry: [8, 16], blocks: [32, 64], exit: [64, 96] } }), file);
    const target = miniXception({ inputShape: [64, 64, 3], widths: { entry: [8, 16], blocks: [32, 64], exit: [64, 128] } });
    const before = target.getWeights().map((w) => w.dataSync().slice());
    await expect(loadKerasWeights(target, file)).rejects.toThrow(
      /weight 1 of layer 'block4_sepconv2' \(file: 'block4_sepconv2\/block4_sepconv2\/pointwise_kernel:0'\) has shape \[1, 1, 64, 96\], the model expects \[1, 1, 64, 128\]/,
    );
    target.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(before[i]));
  });

  it('refuses a file with another number of weighted layers', async () => {
    const file = path.join(tempDir('xfer-h5-'), 'small.h5');
    await writeKerasH5(miniXception({ inputShape: [64, 64, 3] }), file);
    await expect(loadKerasWeights(xception({ inputShape: [150, 150, 3] }), file)).rejects.toThrow(/has \d+ layers with weights but the model 'xception' has 80/);
  });

  it('refuses a Keras 3 file of another model, naming the first path it lacks or cannot place', async () => {
    const file = path.join(fixtures, 'keras3.weights.h5');
    await expect(loadKerasWeights(miniXception({ inputShape: [64, 64, 3] }), file)).rejects.toThrow(
      /keras3.weights.h5: no weights at 'layers\/separable_conv2d_1' for layer 'block2_sepconv2' of the model 'mini_xception' \(nor for 19 more layers\); the file has weights for: layers\/batch_normalization, /,
    );
    await expect(loadKerasWeights(keras2Like(), file)).rejects.toThrow(
      /keras3.weights.h5: weights at 'layers\/batch_normalization' and 3 more paths belong to no layer of the model/,
    );
  });

  it('says what is wrong with a file that is not Keras weights', async () => {
    const dir = tempDir('xfer-h5-');
    const plain = path.join(dir, 'plain.h5');
    await h5wasm.ready;
    const f = new h5wasm.File(plain, 'w');
    f.create_dataset({ name: 'x', data: new Float32Array([1]) });
    f.close();
    await expect(readKerasWeights(plain)).rejects.toThrow(/plain.h5: not a Keras weights file: HDF5, but neither in Keras' legacy layout .* nor in Keras 3's .weights.h5 layout/);

    const text = path.join(dir, 'notes.h5');
    writeFileSync(text, 'not weights at all\n');
    await expect(readKerasWeights(text)).rejects.toThrow(/notes.h5: not a Keras weights file: it is neither HDF5 .* nor a .keras archive/);

    await expect(readKerasWeights(path.join(dir, 'missing.h5'))).rejects.toThrow(/missing.h5: cannot read the weights file \(ENOENT\)/);

    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('{}'), 'config.json');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    const archive = path.join(dir, 'other.keras');
    writeFileSync(archive, Buffer.concat(chunks));
    await expect(readKerasWeights(archive)).rejects.toThrow(/other.keras: a zip archive without 'model.weights.h5'/);
  });

  it('names a weight that is not float', async () => {
    const file = path.join(tempDir('xfer-h5-'), 'ints.h5');
    await h5wasm.ready;
    const f = new h5wasm.File(file, 'w');
    f.create_attribute('layer_names', ['dense']);
    const g = f.create_group('dense');
    g.create_attribute('weight_names', ['dense/kernel:0']);
    g.create_group('dense').create_dataset({ name: 'kernel:0', data: new Int32Array([1, 2]), shape: [1, 2] });
    f.close();
    await expect(readKerasWeights(file)).rejects.toThrow(/ints.h5: weight '\/dense\/dense\/kernel:0' is HDF5 type .*; xfer reads float32 and float64 weights/);
  });
});
