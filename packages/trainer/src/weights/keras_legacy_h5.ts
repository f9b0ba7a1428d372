import h5wasm, { type Attribute, type Dataset, type Group } from 'h5wasm/node';
import type * as tfl from '@tensorflow/tfjs-layers';
import { datasetWeight, type WeightArray } from './h5_dataset.js';

/** One layer's weights as a Keras legacy .h5 stores them, in the file's order. */
export interface H5Layer {
  name: string;
  weights: WeightArray[];
}

/**
 * A string-list attribute as Keras' writers leave it: a list of str (Keras 3, h5py 3), of
 * fixed-length bytes (h5py 2, as in the 2017 ImageNet files), a single string, or an empty
 * float64 array (what h5py writes for a layer without weights).
 */
function stringList(attr: Attribute | undefined, what: string): string[] {
  if (attr === undefined) return [];
  const v = attr.value as unknown;
  if (v === null || v === undefined) return [];
  if (typeof v === 'string') return [v.replace(/\0+$/, '')];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.map((s: string) => s.replace(/\0+$/, ''));
  if (ArrayBuffer.isView(v) && (v as unknown as ArrayLike<number>).length === 0) return [];
  throw new Error(`${what} is not a list of names (HDF5 type ${JSON.stringify(attr.dtype)})`);
}

/**
 * Keras splits a string list that would overflow an HDF5 object header (64 KiB) into
 * `name0`, `name1`, …; this reads either form.
 */
function chunkedStringList(group: Group, name: string, what: string): string[] {
  if (name in group.attrs) return stringList(group.attrs[name], `${what}'s '${name}'`);
  const out: string[] = [];
  for (let i = 0; `${name}${i}` in group.attrs; i++) out.push(...stringList(group.attrs[`${name}${i}`], `${what}'s '${name}${i}'`));
  return out;
}

/** Where a legacy file keeps its layers: the root (`save_weights`) or `model_weights` (`model.save`). */
export function legacyRoot(f: Group): Group | null {
  if ('layer_names' in f.attrs || 'layer_names0' in f.attrs) return f;
  const inner = f.keys().includes('model_weights') ? (f.get('model_weights') as Group) : null;
  return inner && ('layer_names' in inner.attrs || 'layer_names0' in inner.attrs) ? inner : null;
}

/**
 * Reads the legacy HDF5 layout of Keras 1, 2 and 3 (`save_weights('x.h5')`, `model.save('x.h5')`
 * and the keras-applications ImageNet files): `layer_names` lists the layers in model order; each
 * layer group's `weight_names` names its datasets, relative to the group (`/l/l/kernel:0` in
 * Keras 2, `/l/l/kernel` in Keras 3). Layers without weights keep their place with no weights.
 */
export function readLegacyLayers(root: Group, file: string): H5Layer[] {
  const prefix = root.path === '/' ? '' : `${root.path.replace(/^\//, '')}/`;
  return chunkedStringList(root, 'layer_names', `${file}: ${root.path}`).map((name) => {
    const group = root.get(name);
    if (!(group instanceof h5wasm.Group)) throw new Error(`${file}: layer '${name}' is listed in layer_names but '/${prefix}${name}' is not a group`);
    const weightNames = chunkedStringList(group, 'weight_names', `${file}: layer '${name}'`);
    return {
      name,
      weights: weightNames.map((w) => {
        const ds = group.get(w);
        if (!(ds instanceof h5wasm.Dataset)) throw new Error(`${file}: weight '${w}' of layer '${name}' is not a dataset at '/${prefix}${name}/${w}'`);
        return datasetWeight(ds as Dataset, w, file);
      }),
    };
  });
}

/**
 * Keras 2's names for a layer's weights, `<layer>/<weight>:0`. A nested model's weights are named
 * after the inner layers that own them (`block1_conv1/kernel:0`), not after the nested model.
 */
export function kerasWeightNames(layer: tfl.layers.Layer, name: string, names: (layer: tfl.layers.Layer) => string): string[] {
  const owner = new Map<tfl.LayerVariable, string>();
  const own = (l: tfl.layers.Layer, as: string): void => {
    if ('layers' in l) for (const inner of (l as unknown as tfl.LayersModel).layers) own(inner, names(inner));
    else for (const w of l.weights) owner.set(w, as);
  };
  own(layer, name);
  return layer.weights.map((w) => `${owner.get(w)}/${w.originalName.split('/').pop()}:0`);
}

/**
 * Writes a model's weights in Keras' legacy HDF5 layout, which Keras 2 and 3 `load_weights` read.
 * `names` maps a model layer (a nested model's too) to the name Keras gives it where they differ
 * (to mimic Keras' unnamed residual layers).
 */
export async function writeKerasH5(model: tfl.LayersModel, file: string, names: (layer: tfl.layers.Layer) => string = (l) => l.name): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  try {
    const layerNames = model.layers.map(names);
    f.create_attribute('layer_names', layerNames);
    f.create_attribute('backend', 'tensorflow');
    for (const [i, layer] of model.layers.entries()) {
      const name = layerNames[i]!;
      const group = f.create_group(name);
      const weightNames = kerasWeightNames(layer, name, names);
      if (weightNames.length === 0) {
        // As h5py stores Keras' empty list: a zero-length float64 array.
        group.create_attribute('weight_names', new Float64Array(0), [0], '<d');
        continue;
      }
      group.create_attribute('weight_names', weightNames);
      const owners = new Map<string, Group>();
      for (const [j, w] of layer.weights.entries()) {
        const [owner, leaf] = weightNames[j]!.split('/') as [string, string];
        if (!owners.has(owner)) owners.set(owner, group.create_group(owner));
        // Asynchronous: GPU backends (webgpu) have no synchronous read in Node.
        const data = (await w.read().data()) as Float32Array;
        owners.get(owner)!.create_dataset({ name: leaf, data, shape: w.shape as number[], dtype: '<f' });
      }
    }
  } finally {
    f.close();
  }
}
