import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * How many times each layer's output is read in `model`: by the layers it feeds and, for an
 * output layer, by the model's caller. A fusion into a layer's computation is safe only where
 * nothing else reads its output.
 */
export function layerReaders(model: tfl.LayersModel): Map<string, number> {
  const readers = new Map<string, number>();
  const read = (name: string) => readers.set(name, (readers.get(name) ?? 0) + 1);
  for (const layer of model.layers) for (const from of layer.inboundNodes[0]?.inboundLayers ?? []) read(from.name);
  for (const out of model.outputLayers) read(out.name);
  return readers;
}
