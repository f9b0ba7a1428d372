import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { batches } from '../data/batches.js';
import type { DecodedSplit } from '../data/decoded_split.js';
import type { BatchSource, TrainingBatch } from '../data/loader_source.js';
import { KerasAdam } from './adam.js';
import { notify, type Callback, type EpochLogs } from './callbacks.js';
import { stepSeed } from './dropout_seed.js';
import { evaluate } from './evaluate.js';
import type { AccuracyRule } from './metrics.js';
import { trainStep } from './train_step.js';

export interface FitOptions {
  phase: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Random horizontal flips on the training split. */
  flip: boolean;
  accuracyRule?: AccuracyRule;
  callbacks?: Callback[];
  /** The optimizer to step; by default a fresh Adam with Keras' defaults at `learningRate`. */
  optimizer?: tf.Optimizer;
  /** Epochs of this phase already done (Keras' initial_epoch): training resumes after them. */
  initialEpoch?: number;
  /** Aborting stops training at the next batch boundary; fit then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * An epoch's training batches: from the in-memory split (shuffle and flips drawn here) or from a
 * batch source such as the native Loader (which shuffles and augments itself, seeded by the epoch).
 */
async function* trainingBatches(train: DecodedSplit | BatchSource, epochSeed: number, o: FitOptions): AsyncGenerator<TrainingBatch> {
  if (!('pixels' in train)) {
    yield* train.epoch(epochSeed);
    return;
  }
  for (const b of batches(train, { batchSize: o.batchSize, shuffleSeed: epochSeed, flipSeed: o.flip ? epochSeed + 7 : undefined })) {
    yield { ...b, release: () => {} };
  }
}

/** Counts the scalar parameters of the model's trainable weights. */
export function trainableParams(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/**
 * Trains the model's trainable weights with Adam (Keras defaults) on sigmoid cross-entropy, and
 * validates after every epoch. Returns each epoch's logs.
 */
export async function fit(
  model: tfl.LayersModel,
  train: DecodedSplit | BatchSource,
  validation: DecodedSplit,
  o: FitOptions,
): Promise<EpochLogs[]> {
  const callbacks = o.callbacks ?? [];
  const rule = o.accuracyRule ?? 'logit0';
  const optimizer = o.optimizer ?? new KerasAdam(o.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  await notify(callbacks, 'onPhaseBegin', o.phase, { epochs: o.epochs, learningRate: o.learningRate, trainableParams: trainableParams(model) });
  const history: EpochLogs[] = [];
  for (let epoch = (o.initialEpoch ?? 0) + 1; epoch <= o.epochs; epoch++) {
    const started = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let index = 0;
    const epochSeed = o.seed * 1009 + epoch;
    for await (const b of trainingBatches(train, epochSeed, o)) {
      // A macrotask turn per batch lets signal handlers (Ctrl-C) and progress output run.
      await new Promise((resolve) => setImmediate(resolve));
      if (o.signal?.aborted) {
        tf.dispose([b.x, b.y]);
        b.release();
        throw o.signal.reason;
      }
      const step = await trainStep({
        model, forward: (x) => model.apply(x, { training: true }) as tf.Tensor, x: b.x, y: b.y, vars, optimizer, rule,
        dropoutSeed: stepSeed(o.seed, epoch, index),
      });
      correct += step.correct;
      tf.dispose([b.x, b.y]);
      b.release();
      lossSum += step.loss * b.size;
      seen += b.size;
      index++;
      const seconds = (performance.now() - started) / 1000;
      await notify(callbacks, 'onBatchEnd', {
        // A batch source learns of undecodable images as it goes, so the total is re-read.
        phase: o.phase, epoch, batch: index, batches: Math.max(index, Math.ceil(train.count / o.batchSize)),
        loss: lossSum / seen, accuracy: correct / seen, imagesPerSec: seen / seconds, seconds,
      });
    }
    const trainSeconds = (performance.now() - started) / 1000;
    const val = await evaluate(model, validation, { batchSize: o.batchSize, accuracyRule: rule });
    const logs: EpochLogs = {
      phase: o.phase, epoch, epochs: o.epochs,
      loss: lossSum / seen, accuracy: correct / seen,
      valLoss: val.loss, valAccuracy: val.accuracy,
      seconds: (performance.now() - started) / 1000, imagesPerSec: seen / trainSeconds,
    };
    history.push(logs);
    await notify(callbacks, 'onEpochEnd', logs);
    if (callbacks.some((c) => c.stopTraining)) break;
  }
  await notify(callbacks, 'onTrainEnd', history);
  if (!o.optimizer) optimizer.dispose();
  return history;
}
