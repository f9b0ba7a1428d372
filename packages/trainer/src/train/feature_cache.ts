import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { batches } from '../data/batches.js';
import { Rng } from '../data/rng.js';
import type { DecodedSplit } from '../data/decoded_split.js';
import { KerasAdam } from './adam.js';
import { notify, type Callback, type EpochLogs } from './callbacks.js';
import { stepSeed } from './dropout_seed.js';
import { trainableParams } from './fit.js';
import { sigmoidCrossEntropy, threshold, type AccuracyRule } from './metrics.js';
import { trainStep } from './train_step.js';

/** Pooled base features of a split: `views` augmented copies of every image, then the labels. */
interface Features {
  views: tf.Tensor2D[];
  labels: tf.Tensor2D;
  count: number;
}

export interface FeatureCacheOptions {
  phase: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Augmented views computed per training image; epoch e trains on view e mod K. 1 without augmentation. */
  views: number;
  flip: boolean;
  accuracyRule?: AccuracyRule;
  callbacks?: Callback[];
  /** As in fit: the optimizer to step, and the epochs already done. */
  optimizer?: tf.Optimizer;
  initialEpoch?: number;
}

/** The layers of the transfer model after the base: pooling, dropout, classifier. */
function headLayers(model: tfl.LayersModel, base: tfl.LayersModel): tfl.layers.Layer[] {
  const at = model.layers.indexOf(base as unknown as tfl.layers.Layer);
  if (at < 0) throw new Error('feature cache: the base is not a layer of the model');
  return model.layers.slice(at + 1);
}

/** Runs rescaling + the base once per image and view, in inference mode, keeping pooled features. */
function extract(model: tfl.LayersModel, base: tfl.LayersModel, split: DecodedSplit, views: number, o: { batchSize: number; seed: number; flip: boolean }): Features {
  const [pool] = headLayers(model, base);
  const rescale = model.layers[model.layers.indexOf(base as unknown as tfl.layers.Layer) - 1]!;
  const out: tf.Tensor2D[] = [];
  let labels: tf.Tensor2D | null = null;
  for (let v = 0; v < views; v++) {
    const parts: tf.Tensor2D[] = [];
    const ys: tf.Tensor2D[] = [];
    // View 0 is the image itself; others draw flips as the training loop would.
    for (const b of batches(split, { batchSize: o.batchSize, flipSeed: v > 0 && o.flip ? o.seed * 7919 + v : undefined })) {
      parts.push(
        tf.tidy(() => pool!.apply(base.apply(rescale.apply(b.x, { training: false }), { training: false }), { training: false }) as tf.Tensor2D),
      );
      ys.push(b.y);
      tf.dispose(b.x);
    }
    out.push(tf.concat(parts) as tf.Tensor2D);
    tf.dispose(parts);
    if (!labels) labels = tf.concat(ys) as tf.Tensor2D;
    tf.dispose(ys);
  }
  return { views: out, labels: labels!, count: split.count };
}

/**
 * The frozen phase on cached features. With the base frozen and in inference mode it is a fixed
 * function, so its pooled output is computed once per (image, view) and the head alone is trained
 * on it, epoch after epoch: the same optimisation as the plain loop, without running the base
 * every epoch. Trains the model's own head layers, so the fine-tune phase continues from them.
 */
export async function fitFrozenOnFeatures(
  model: tfl.LayersModel,
  base: tfl.LayersModel,
  train: DecodedSplit,
  validation: DecodedSplit,
  o: FeatureCacheOptions,
): Promise<EpochLogs[]> {
  const callbacks = o.callbacks ?? [];
  const rule = o.accuracyRule ?? 'logit0';
  const [, ...head] = headLayers(model, base);
  const applyHead = (x: tf.Tensor, training: boolean) => head.reduce((t, l) => l.apply(t, { training }) as tf.Tensor, x);
  const started = performance.now();
  const trainFeatures = extract(model, base, train, Math.max(1, o.views), o);
  const valFeatures = extract(model, base, validation, 1, { ...o, flip: false });
  const extractSeconds = (performance.now() - started) / 1000;
  const optimizer = o.optimizer ?? new KerasAdam(o.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  await notify(callbacks, 'onPhaseBegin', o.phase, { epochs: o.epochs, learningRate: o.learningRate, trainableParams: trainableParams(model) });
  const history: EpochLogs[] = [];
  for (let epoch = (o.initialEpoch ?? 0) + 1; epoch <= o.epochs; epoch++) {
    const t0 = performance.now();
    const view = trainFeatures.views[(epoch - 1) % trainFeatures.views.length]!;
    const order = new Rng(o.seed * 1009 + epoch).permutation(trainFeatures.count);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < trainFeatures.count; start += o.batchSize) {
      const idx = tf.tensor1d(Array.from(order.subarray(start, start + o.batchSize)), 'int32');
      const x = tf.gather(view, idx);
      const y = tf.gather(trainFeatures.labels, idx);
      const step = await trainStep({
        model, forward: (t) => applyHead(t, true), x, y, vars, optimizer, rule, dropoutSeed: stepSeed(o.seed, epoch, start / o.batchSize),
      });
      lossSum += step.loss * x.shape[0];
      correct += step.correct;
      tf.dispose([idx, x, y]);
    }
    const [valLoss, valRight] = tf.tidy(() => {
      const logits = applyHead(valFeatures.views[0]!, false);
      const predicted = tf.cast(tf.greater(logits, threshold(rule)), 'float32');
      return [sigmoidCrossEntropy(valFeatures.labels, logits), tf.sum(tf.cast(tf.equal(predicted, valFeatures.labels), 'float32'))];
    });
    const logs: EpochLogs = {
      phase: o.phase, epoch, epochs: o.epochs,
      loss: lossSum / trainFeatures.count, accuracy: correct / trainFeatures.count,
      valLoss: (await valLoss.data())[0]!, valAccuracy: (await valRight.data())[0]! / Math.max(valFeatures.count, 1),
      // The first epoch carries the one-off feature extraction.
      seconds: (performance.now() - t0) / 1000 + (epoch === 1 ? extractSeconds : 0),
      imagesPerSec: trainFeatures.count / ((performance.now() - t0) / 1000 + (epoch === 1 ? extractSeconds : 0)),
    };
    tf.dispose([valLoss, valRight]);
    history.push(logs);
    await notify(callbacks, 'onEpochEnd', logs);
  }
  if (!o.optimizer) optimizer.dispose();
  tf.dispose([...trainFeatures.views, trainFeatures.labels, ...valFeatures.views, valFeatures.labels]);
  return history;
}
