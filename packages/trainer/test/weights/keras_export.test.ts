import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { miniXception } from '../../src/models/mini_xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { xception } from '../../src/models/xception.js';
import { exportKerasH5, kerasLayerNames } from '../../src/weights/keras_export.js';
import { loadKerasWeights, readKerasWeights } from '../../src/weights/keras_weights.js';
import { tempDir } from '../helpers.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const SIZE = 40;
const WIDTHS = { entry: [4, 8] as [number, number], blocks: [8, 16], exit: [16, 24] as [number, number] };

/** A legacy file's layers as h5py sees them: [layer, [[weight name, shape], …]], weightless layers included. */
type Layout = Array<[string, Array<[string, number[]]>]>;

// A legacy file's root attributes and layout, read with h5py as Keras reads it.
const DUMP = `
import json, sys, h5py
def text(v):
    return [s.decode() if isinstance(s, bytes) else str(s) for s in v]
def dump(file):
    with h5py.File(file, "r") as f:
        return {"attrs": sorted(f.attrs.keys()), "layers": [[n, [[w, list(f[n][w].shape)] for w in text(f[n].attrs["weight_names"])]] for n in text(f.attrs["layer_names"])]}
`;

function mini(units: number, seed: number): tfl.LayersModel {
  return transferModel(miniXception({ inputShape: [SIZE, SIZE, 3], widths: WIDTHS, seed }), { units, seed });
}

/** Seeded values for every weight, BatchNorm's moving statistics included, so that a weight paired with the wrong variable changes the output. */
function randomize(model: tfl.LayersModel, seed: number): void {
  model.weights.forEach((w, i) => {
    const leaf = w.originalName.split('/').pop()!;
    const [shape, s] = [w.shape as number[], seed * 1000 + i];
    const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const value = tf.tidy(() =>
      leaf === 'moving_variance' ? tf.randomUniform(shape, 0.5, 1.5, 'float32', s)
      : leaf === 'gamma' ? tf.randomUniform(shape, 0.8, 1.2, 'float32', s)
      : leaf === 'moving_mean' || leaf === 'beta' || leaf === 'bias' ? tf.randomNormal(shape, 0, 0.1, 'float32', s)
      : tf.randomNormal(shape, 0, Math.sqrt(1 / fanIn), 'float32', s),
    );
    w.write(value);
    value.dispose();
  });
}

/** The reference scripts' input (tools/fixtures): sin(0.37 i) in float64, here scaled to pixels, stored as float32. */
function fixedInput(size: number): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from({ length: 2 * size * size * 3 }, (_, i) => 127.5 + 127.5 * Math.sin(0.37 * i)), [2, size, size, 3]);
}

const predict = (model: tfl.LayersModel, size = SIZE): Float32Array => tf.tidy(() => (model.predict(fixedInput(size)) as tf.Tensor).dataSync() as Float32Array);

/**
 * What Keras' legacy writer gives the model: layers in model order; a nested model's weights as
 * one list, all inner layers' trainable ones first and then the moving statistics.
 */
function expectedLayout(model: tfl.LayersModel): Layout {
  const names = kerasLayerNames(model);
  const moving = (w: tfl.LayerVariable) => /^moving_/.test(w.originalName.split('/').pop()!);
  return model.layers.map((layer) => {
    const owners = 'layers' in layer ? (layer as unknown as tfl.LayersModel).layers : [layer];
    const entries = (keep: (w: tfl.LayerVariable) => boolean) =>
      owners.flatMap((o) => o.weights.filter(keep).map((w): [string, number[]] => [`${names(o)}/${w.originalName.split('/').pop()}:0`, w.shape as number[]]));
    return [names(layer), [...entries((w) => !moving(w)), ...entries(moving)]];
  });
}

/** The first python among `candidates` that imports h5py, or '' with the reason. */
async function pythonWithH5py(candidates: string[]): Promise<{ python: string; why: string }> {
  for (const python of candidates) {
    if (await run(python, ['-c', 'import h5py']).then(() => true, () => false)) return { python, why: '' };
  }
  return { python: '', why: `none of ${candidates.join(', ')} imports h5py (Debian: apt-get install python3-h5py)` };
}

async function referencePython(): Promise<{ python: string; why: string }> {
  try {
    const { stdout } = await run('bash', [path.join(root, 'tools/reference/venv.sh'), '--check']);
    return { python: stdout.trim().split('\n').at(-1)!, why: '' };
  } catch (e) {
    // Made by test/reference's setup (a minute, from the pip index); these tests only use it.
    return { python: '', why: ((e as { stderr?: string }).stderr ?? String(e)).trim() };
  }
}

/** Runs `code` with `exe` and parses the JSON it prints last. */
async function python(exe: string, code: string, args: string[]): Promise<unknown> {
  const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', KERAS_BACKEND: 'tensorflow', CUDA_VISIBLE_DEVICES: '', OMP_NUM_THREADS: '2', PYTHONDONTWRITEBYTECODE: '1' };
  const { stdout } = await run(exe, ['-c', code, ...args], { env, maxBuffer: 64 << 20 }).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`${exe} failed: ${(e.stderr || e.message).trim().split('\n').slice(-8).join('\n')}`);
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

beforeAll(async () => {
  await pickBackend('wasm');
});

describe('exportKerasH5', () => {
  it.each([1, 3])("Dense(%d): xfer's own import reads it back, bit for bit, into a freshly built model", async (units) => {
    const source = mini(units, 1);
    randomize(source, 7);
    const file = path.join(tempDir('xfer-export-'), 'model.h5');
    await exportKerasH5(source, file);
    const target = mini(units, 2);
    await loadKerasWeights(target, file);
    const [a, b] = [source.getWeights(), target.getWeights()];
    expect(b.map((w) => w.shape)).toEqual(a.map((w) => w.shape));
    a.forEach((w, i) => expect(b[i]!.dataSync()).toEqual(w.dataSync()));
    expect(predict(target)).toEqual(predict(source));
  });

  it('writes a frozen base in the trainable order, and leaves it frozen', async () => {
    const model = mini(3, 1);
    randomize(model, 8);
    const base = model.layers[2] as unknown as tfl.LayersModel;
    const dir = tempDir('xfer-export-');
    await exportKerasH5(model, path.join(dir, 'trainable.h5'));
    base.trainable = false;
    await exportKerasH5(model, path.join(dir, 'frozen.h5'));
    expect(base.trainable).toBe(false);
    expect(model.trainableWeights).toHaveLength(2);
    const [trainable, frozen] = await Promise.all(['trainable.h5', 'frozen.h5'].map((f) => readKerasWeights(path.join(dir, f))));
    expect(frozen).toEqual(trainable);
  });
});

const h5py = await pythonWithH5py(['python3', '/usr/bin/python3']);
describe.skipIf(!h5py.python)(`h5py reads what Keras expects${h5py.python ? '' : ` (skipped: ${h5py.why})`}`, () => {
  it.each([1, 3])('Dense(%d): layer_names, each weight_names in Keras order, and the dataset shapes', async (units) => {
    const model = mini(units, 1);
    const file = path.join(tempDir('xfer-export-'), 'model.h5');
    await exportKerasH5(model, file);
    const got = (await python(h5py.python, `${DUMP}\nprint(json.dumps(dump(sys.argv[1])))`, [file])) as { attrs: string[]; layers: Layout };
    expect(got.attrs).toEqual(['backend', 'layer_names']);
    expect(got.layers).toEqual(expectedLayout(model));
    expect(got.layers.map(([name, w]) => `${name}:${w.length}`)).toEqual(['image:0', 'rescaling:0', 'mini_xception:56', 'global_average_pooling2d:0', 'dropout:0', 'dense:2']);
    const base = got.layers[2]![1].map(([n]) => n);
    expect(base.slice(0, 3)).toEqual(['block1_conv1/kernel:0', 'block1_conv1_bn/gamma:0', 'block1_conv1_bn/beta:0']);
    expect(base.slice(-2)).toEqual(['block4_sepconv2_bn/moving_mean:0', 'block4_sepconv2_bn/moving_variance:0']);
    expect(base).toContain('conv2d_1/kernel:0');
  });
});

// Keras' side: the same model in Keras 3 (its legacy HDF5 writer is what `save_weights('x.h5')`
// was in Keras 2, less the ':0') and in the Keras 2 that TensorFlow still bundles, which lacks
// BatchNormalization, so its model is a small nested one without.
const REFERENCE = `${DUMP}
import os
sys.path.insert(0, os.path.join(sys.argv[1], "tools", "reference"))
import keras_models as km
import keras
import numpy as np
from keras import layers
job = json.loads(sys.argv[2])
size, units = job["size"], job["units"]
x = (127.5 + 127.5 * np.sin(0.37 * np.arange(2 * size * size * 3, dtype=np.float64))).astype(np.float32).reshape(2, size, size, 3)
if job["base"] == "keras2":
    from tensorflow.python import keras as k2
    from tensorflow.python.keras import layers as l2
    from tensorflow.python.keras.saving import hdf5_format
    k2.__version__ = "2.6.0"
    i = l2.Input((size, size, 3))
    y = l2.Conv2D(4, 3, strides=2, name="block1_conv1")(i)
    y = l2.SeparableConv2D(8, 3, padding="same", use_bias=False, name="block2_sepconv1")(y)
    y = l2.Add()([y, l2.Conv2D(8, 1)(y)])
    y = l2.GlobalAveragePooling2D()(k2.Model(i, y, name="nested")(i))
    model = k2.Model(i, l2.Dense(units)(l2.Dropout(0.2)(y)))
    with h5py.File(job["keras_file"], "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, model.layers)
else:
    base = km.xception(size) if job["base"] == "xception" else km.mini_xception(size, job["widths"])
    i = keras.Input((size, size, 3))
    y = layers.GlobalAveragePooling2D()(base(layers.Rescaling(1 / 127.5, offset=-1)(i), training=False))
    model = keras.Model(i, layers.Dense(units)(layers.Dropout(0.2)(y)))
    km.save_legacy(model, job["keras_file"])
model.load_weights(job["xfer_file"])
print(json.dumps({"keras": dump(job["keras_file"]), "xfer": dump(job["xfer_file"]), "logits": np.asarray(model(x, training=False)).tolist()}))
`;

/** tfjs' twin of the script's Keras 2 model. */
function keras2Twin(units: number): tfl.LayersModel {
  const i = tfl.input({ shape: [SIZE, SIZE, 3] });
  let y = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, name: 'block1_conv1' }).apply(i) as SymbolicTensor;
  y = tfl.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'block2_sepconv1' }).apply(y) as SymbolicTensor;
  y = tfl.layers.add().apply([y, tfl.layers.conv2d({ filters: 8, kernelSize: 1 }).apply(y) as SymbolicTensor]) as SymbolicTensor;
  const outer = tfl.input({ shape: [SIZE, SIZE, 3], name: 'image' });
  y = tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(tfl.model({ inputs: i, outputs: y, name: 'nested' }).apply(outer)) as SymbolicTensor;
  y = tfl.layers.dropout({ rate: 0.2, name: 'dropout' }).apply(y) as SymbolicTensor;
  return tfl.model({ inputs: outer, outputs: tfl.layers.dense({ units, name: 'dense' }).apply(y) as SymbolicTensor });
}

const keras = await referencePython();
describe.skipIf(!keras.python)(`against Keras 3.15 and the Keras 2 bundled with TensorFlow 2.21${keras.python ? '' : ` (skipped: ${keras.why})`}`, () => {
  it.each([
    ['mini_xception', 3, SIZE],
    ['xception', 1, 71],
    ['keras2', 2, SIZE],
  ] as const)("%s, Dense(%d): Keras writes the same names, order and shapes, and its load_weights gives xfer's logits", async (kind, units, size) => {
    const model =
      kind === 'keras2' ? keras2Twin(units)
      : transferModel(kind === 'xception' ? xception({ inputShape: [size, size, 3], seed: 1 }) : miniXception({ inputShape: [size, size, 3], widths: WIDTHS, seed: 1 }), { units, seed: 1 });
    randomize(model, 9);
    const dir = tempDir('xfer-export-');
    const job = { base: kind, size, units, widths: WIDTHS, keras_file: path.join(dir, 'keras.h5'), xfer_file: path.join(dir, 'xfer.h5') };
    await exportKerasH5(model, job.xfer_file);
    const r = (await python(keras.python, REFERENCE, [root, JSON.stringify(job)])) as { keras: { layers: Layout }; xfer: { layers: Layout }; logits: number[][] };

    // Keras 3 drops Keras 2's ':0'. The input layers are left out: Keras names them input_layer / input_1, xfer image.
    const weighted = (l: Layout, strip: boolean): Layout =>
      l.filter(([, w]) => w.length > 0).map(([n, w]) => [n, w.map(([name, shape]): [string, number[]] => [strip ? name.replace(/:0$/, '') : name, shape])]);
    expect(weighted(r.xfer.layers, kind !== 'keras2')).toEqual(weighted(r.keras.layers, false));
    expect(r.xfer.layers.map(([n]) => n).slice(1)).toEqual(r.keras.layers.map(([n]) => n).slice(1));

    const ours = predict(model, size);
    const theirs = r.logits.flat();
    const scale = Math.max(1, ...theirs.map(Math.abs));
    // float32 in both, different kernels: measured ≤ 1e-6 of the scale; a misplaced weight moves them by O(scale).
    theirs.forEach((v, j) => expect(Math.abs(v - ours[j]!)).toBeLessThan(1e-4 * scale));
  }, 180_000);
});
