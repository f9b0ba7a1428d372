import { promises as fs } from 'node:fs';
import * as tfl from '@tensorflow/tfjs-layers';
import { DatasetError } from '../errors.js';
import { loadSavedModel } from '../predict/saved_model.js';

/** Whether `--weights` names an earlier xfer run (a run directory or its model/ folder) rather than a file. */
export async function isTrainedModel(weights: string): Promise<boolean> {
  return (await fs.stat(weights).catch(() => null))?.isDirectory() ?? false;
}

/**
 * Starts from an earlier xfer run: its base's weights always (the second transfer of a trained
 * model), and its classifier's too when it was trained on the same classes in the same order.
 * Returns the line that says what was reused.
 */
export async function reuseTrainedModel(model: tfl.LayersModel, base: tfl.LayersModel, given: string, classNames: readonly string[]): Promise<string> {
  const saved = await loadSavedModel(given);
  try {
    const savedBase = saved.model.layers.find((l): l is tfl.LayersModel => l instanceof tfl.LayersModel);
    const from = savedBase?.getWeights() ?? [];
    const to = base.getWeights();
    const fits = from.length === to.length && from.every((w, i) => w.shape.join() === to[i]!.shape.join());
    if (!savedBase || !fits) {
      throw new DatasetError(
        `--weights ${given}: its base (${savedBase?.name ?? 'none found'}, ${from.length} weights) is not this run's ${base.name} (${to.length} weights); pass --model as that run was trained`,
      );
    }
    base.setWeights(from);
    const sameClasses = saved.preprocessing.classNames.length === classNames.length && saved.preprocessing.classNames.every((c, i) => c === classNames[i]);
    if (sameClasses) model.getLayer('dense').setWeights(saved.model.getLayer('dense').getWeights());
    const head = sameClasses
      ? 'and its classifier (the same classes)'
      : `with a new classifier (it was trained on ${saved.preprocessing.classNames.length} classes [${saved.preprocessing.classNames.join(', ')}], this data has ${classNames.length})`;
    return `weights: the base of ${saved.modelDir} ${head}`;
  } finally {
    saved.model.dispose();
  }
}
