import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { SplitLoader } from '../data/split_loader.js';
import { Rng } from '../data/rng.js';
import type { EpochLogs } from './callbacks.js';
import type { StepResult } from './epoch_loop.js';
import { trainPhase, type FitOptions } from './fit.js';
import { binaryObjective } from './metrics.js';
import { dropoutSeed, featureOrderSeed, loaderEpoch } from './seeds.js';
import { trainStep } from './train_step.js';

/** Pooled base features of one pass over a split, in the order the Loader delivered them. */
interface Features {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
}

export interface FeatureCacheOptions extends FitOptions {
  /** Augmented views kept per training image (K): epoch e trains on view (e - 1) mod K. */
  views: number;
}

/** The layers of the transfer model after the base: pooling, dropout, classifier. */
function headLayers(model: tfl.LayersModel, base: tfl.LayersModel): tfl.layers.Layer[] {
  const at = model.layers.indexOf(base as unknown as tfl.layers.Layer);
  if (at < 0) throw new Error('feature cache: the base is not a layer of the model');
  return model.layers.slice(at + 1);
}

/** Runs rescaling + the base + pooling in inference mode over one Loader epoch of a split. */
async function extract(model: tfl.LayersModel, base: tfl.LayersModel, split: SplitLoader, epoch: number, turn: () => Promise<void>): Promise<Features> {
  const at = model.layers.indexOf(base as unknown as tfl.layers.Layer);
  const [rescale, pool] = [model.layers[at - 1]!, model.layers[at + 1]!];
  const xs: tf.Tensor2D[] = [];
  const ys: tf.Tensor2D[] = [];
  try {
    for await (const b of split.epoch(epoch)) {
      try {
        await turn();
        xs.push(tf.tidy(() => pool.apply(base.apply(rescale.apply(b.x, { training: false }), { training: false }), { training: false }) as tf.Tensor2D));
        ys.push(tf.clone(b.y));
      } finally {
        tf.dispose([b.x, b.y]);
        b.release();
      }
    }
    // A split whose every image failed has no features (and no loss: see validate).
    if (xs.length === 0) return { x: tf.zeros([0, 0]), y: tf.zeros([0, 1]) };
    return { x: tf.concat(xs) as tf.Tensor2D, y: tf.concat(ys) as tf.Tensor2D };
  } finally {
    tf.dispose([...xs, ...ys]);
  }
}

/**
 * The frozen phase on cached features. With the base frozen and in inference mode it is a fixed
 * function, so its pooled output is computed once per (image, view) and the head alone is trained
 * on it. View k is training Loader epoch k + 1 with the full augmentation, kept in the order the
 * Loader delivered it, so epochs 1..K train on exactly the batches the plain loop would; later
 * epochs reuse the views in a new order. Trains the model's own head layers, so the fine-tune
 * phase continues from them.
 */
export async function fitFrozenOnFeatures(
  model: tfl.LayersModel,
  base: tfl.LayersModel,
  train: SplitLoader,
  validation: SplitLoader,
  o: FeatureCacheOptions,
): Promise<EpochLogs[]> {
  if (!Number.isInteger(o.views) || o.views < 1) throw new RangeError(`feature cache: views must be a positive integer, got ${o.views}`);
  const objective = o.objective ?? binaryObjective();
  const [, ...head] = headLayers(model, base);
  const applyHead = (x: tf.Tensor, training: boolean) => head.reduce((t, l) => l.apply(t, { training }) as tf.Tensor, x);
  const views = new Map<number, Features>();
  let valFeatures: Features | undefined;
  const batchSize = train.batchSize;

  const steps = (optimizer: tf.Optimizer, vars: tf.Variable[]) => async function* (epoch: number, turn: () => Promise<void>): AsyncGenerator<StepResult> {
    const k = (epoch - 1) % o.views;
    let view = views.get(k);
    if (!view) {
      view = await extract(model, base, train, loaderEpoch(o.earlierEpochs ?? 0, k + 1), turn);
      views.set(k, view);
    }
    const n = view.x.shape[0];
    const order = epoch <= o.views ? null : new Rng(featureOrderSeed(o.seed, epoch)).permutation(n);
    for (let start = 0, index = 0; start < n; start += batchSize, index++) {
      await turn();
      const size = Math.min(batchSize, n - start);
      const [x, y] = order
        ? tf.tidy(() => {
            const idx = tf.tensor1d(Int32Array.from(order.subarray(start, start + size)), 'int32');
            return [tf.gather(view.x, idx), tf.gather(view.y, idx)];
          })
        : [tf.slice(view.x, [start, 0], [size, -1]), tf.slice(view.y, [start, 0], [size, -1])];
      try {
        const step = await trainStep({
          model, forward: (t) => applyHead(t, true), x, y, vars, optimizer, objective, dropoutSeed: dropoutSeed(o.seed, epoch, index),
        });
        yield { size, ...step };
      } finally {
        tf.dispose([x, y]);
      }
    }
  };

  async function validate(): Promise<{ loss: number; accuracy: number }> {
    valFeatures ??= await extract(model, base, validation, 0, async () => {});
    const val = valFeatures;
    if (val.x.shape[0] === 0) return { loss: NaN, accuracy: NaN };
    const [loss, right] = tf.tidy(() => {
      const logits = applyHead(val.x, false);
      const plain = objective.unweighted();
      return [plain.loss(val.y, logits), plain.correct(val.y, logits)];
    });
    const result = { loss: (await loss.data())[0]!, accuracy: (await right.data())[0]! / val.x.shape[0] };
    tf.dispose([loss, right]);
    return result;
  }

  try {
    return await trainPhase(model, train, o, (optimizer, vars) => ({ steps: steps(optimizer, vars), validate }));
  } finally {
    for (const v of [...views.values(), ...(valFeatures ? [valFeatures] : [])]) tf.dispose([v.x, v.y]);
  }
}
