import h5wasm, { type Dataset, type Group } from 'h5wasm/node';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';

/** One layer's weights as a Keras .h5 file stores them, in the file's order. */
export interface H5Layer {
  name: string;
  weights: Array<{ name: string; shape: number[]; data: Float32Array }>;
}

function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const arr = Array.isArray(value) ? value : [value];
  return arr.map((v) => (v instanceof Uint8Array ? new TextDecoder().decode(v).replace(/\0+$/, '') : String(v)));
}

/**
 * Reads a Keras weights file in the legacy HDF5 layout: the root attribute `layer_names` lists the
 * layers in model order; each layer group has a `weight_names` attribute, and weight `w` of layer
 * `l` is the dataset `/l/w` (e.g. `/block1_conv1_bn/block1_conv1_bn/gamma:0`).
 */
export async function readKerasH5(file: string): Promise<H5Layer[]> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'r');
  try {
    const names = strings(f.attrs['layer_names']?.value);
    if (names.length === 0) throw new Error(`${file}: not a Keras weights file (no 'layer_names' attribute at the root)`);
    return names.map((name) => {
      const group = f.get(name) as Group | null;
      if (!group) throw new Error(`${file}: layer '${name}' is listed in layer_names but has no group`);
      const weightNames = strings(group.attrs['weight_names']?.value);
      return {
        name,
        weights: weightNames.map((w) => {
          const ds = f.get(`${name}/${w}`) as Dataset | null;
          if (!ds) throw new Error(`${file}: weight '${w}' of layer '${name}' is missing`);
          const value = ds.value;
          const data = value instanceof Float32Array ? value : Float32Array.from(value as ArrayLike<number>);
          return { name: w, shape: [...(ds.shape ?? [])], data };
        }),
      };
    });
  } finally {
    f.close();
  }
}

/**
 * Sets a model's weights from a Keras .h5 the way Keras' `load_weights` does for a legacy file:
 * layers are paired by position among those that have weights (names may differ, as the unnamed
 * residual layers do), and every weight's shape must match. Throws, naming the layer and both
 * shapes, before any weight is changed.
 */
export function assignKerasWeights(model: tfl.LayersModel, fileLayers: readonly H5Layer[], file = 'weights file'): void {
  const modelLayers = model.layers.filter((l) => l.weights.length > 0);
  const withWeights = fileLayers.filter((l) => l.weights.length > 0);
  if (modelLayers.length !== withWeights.length) {
    throw new Error(
      `${file}: it has ${withWeights.length} layers with weights but the model '${model.name}' has ${modelLayers.length}`,
    );
  }
  const values: tf.Tensor[][] = [];
  modelLayers.forEach((layer, i) => {
    const src = withWeights[i]!;
    if (src.weights.length !== layer.weights.length) {
      throw new Error(`${file}: layer '${layer.name}' (file: '${src.name}') expects ${layer.weights.length} weights, the file has ${src.weights.length}`);
    }
    layer.weights.forEach((w, j) => {
      const s = src.weights[j]!;
      if (s.shape.length !== w.shape.length || s.shape.some((d, k) => d !== w.shape[k])) {
        throw new Error(
          `${file}: weight ${j} of layer '${layer.name}' (file: '${src.name}/${s.name}') has shape [${s.shape.join(', ')}], the model expects [${w.shape.join(', ')}]`,
        );
      }
    });
    values.push(src.weights.map((s) => tf.tensor(s.data, s.shape)));
  });
  modelLayers.forEach((layer, i) => layer.setWeights(values[i]!));
  tf.dispose(values.flat());
}

/**
 * Writes a model's weights as a Keras legacy .h5. `names` maps a model layer to the name Keras
 * gives it where they differ (tests use this to mimic Keras' unnamed residual layers).
 */
export async function writeKerasH5(model: tfl.LayersModel, file: string, names: (layer: tfl.layers.Layer) => string = (l) => l.name): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  try {
    const layerNames = model.layers.map(names);
    f.create_attribute('layer_names', layerNames);
    f.create_attribute('backend', 'tensorflow');
    model.layers.forEach((layer, i) => {
      const name = layerNames[i]!;
      const group = f.create_group(name);
      const weightNames = layer.weights.map((w) => `${name}/${w.originalName.split('/').pop()}:0`);
      if (weightNames.length === 0) {
        // Keras writes an empty string array for layers without weights.
        group.create_attribute('weight_names', [], [0], 'S1');
        return;
      }
      group.create_attribute('weight_names', weightNames);
      const inner = group.create_group(name);
      layer.weights.forEach((w, j) => {
        const data = w.read().dataSync() as Float32Array;
        inner.create_dataset({ name: weightNames[j]!.split('/').pop()!, data, shape: w.shape as number[], dtype: '<f' });
      });
    });
  } finally {
    f.close();
  }
}
