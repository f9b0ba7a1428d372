import h5wasm, { type Dataset, type Group } from 'h5wasm/node';
import type * as tfl from '@tensorflow/tfjs-layers';
import { datasetWeight, type WeightArray } from './h5_dataset.js';

/**
 * Reads Keras 3's own weights format (`model.save_weights('x.weights.h5')`, and the
 * `model.weights.h5` inside a `.keras` archive): the model's object tree, where the weights of a
 * layer lie at `layers/<key>/vars/0`, `vars/1`, …, and a nested model repeats the tree under
 * `layers/<key>/layers/`. Returns each layer's weights by path (`layers/conv2d_1`).
 */
export function readV3Layers(root: Group, file: string): Map<string, WeightArray[]> {
  const out = new Map<string, WeightArray[]>();
  const walk = (layers: Group, at: string): void => {
    for (const key of layers.keys()) {
      const g = layers.get(key);
      if (!(g instanceof h5wasm.Group)) continue;
      const here = `${at}/${key}`;
      const vars = g.keys().includes('vars') ? g.get('vars') : null;
      if (vars instanceof h5wasm.Group) {
        const names = vars.keys();
        const weights = names.map((_, i) => {
          const ds = vars.get(String(i));
          if (!(ds instanceof h5wasm.Dataset)) throw new Error(`${file}: '/${here}/vars' holds ${names.length} entries but no dataset '${i}'`);
          return datasetWeight(ds as Dataset, `vars/${i}`, file);
        });
        if (weights.length > 0) out.set(here, weights);
      }
      const inner = g.keys().includes('layers') ? g.get('layers') : null;
      if (inner instanceof h5wasm.Group) walk(inner, `${here}/layers`);
    }
  };
  walk(root.get('layers') as Group, 'layers');
  return out;
}

/** Keras' `naming.to_snake_case`, which names the entries of the tree from class names. */
function snakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** tfjs class names that differ from Keras': a model built with tf.model() is Keras' Functional. */
const KERAS_CLASS: Record<string, string> = { Model: 'Functional' };

/**
 * Where Keras 3 keeps each weighted layer of `model` in a `.weights.h5`: not by the layer's name,
 * which Keras regenerates per session, but by its class, numbered in model order among the
 * model's layers of that class (`conv2d`, `conv2d_1`, …; saving_lib's `_get_unique_name`).
 */
export function v3LayerPaths(model: tfl.LayersModel, prefix = 'layers'): Array<{ layer: tfl.layers.Layer; path: string }> {
  const used = new Map<string, number>();
  const out: Array<{ layer: tfl.layers.Layer; path: string }> = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    const base = snakeCase(KERAS_CLASS[className] ?? className);
    const seen = used.get(base);
    used.set(base, seen === undefined ? 0 : seen + 1);
    const path = `${prefix}/${seen === undefined ? base : `${base}_${seen + 1}`}`;
    if ('layers' in layer) out.push(...v3LayerPaths(layer as unknown as tfl.LayersModel, `${path}/layers`));
    else if (layer.weights.length > 0) out.push({ layer, path });
  }
  return out;
}
