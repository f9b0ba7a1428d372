import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { SplitLoader } from '../data/split_loader.js';
import { KerasAdam } from './adam.js';
import type { Callback, EpochLogs } from './callbacks.js';
import { runPhase, type PhaseLoop, type StepResult } from './epoch_loop.js';
import { evaluate } from './evaluate.js';
import { binaryObjective, type Objective } from './metrics.js';
import { dropoutSeed, loaderEpoch } from './seeds.js';
import { trainStep } from './train_step.js';

export interface FitOptions {
  phase: string;
  epochs: number;
  learningRate: number;
  /** The phase's seed (train/seeds.ts): its dropout masks. */
  seed: number;
  /** Epochs of the run's earlier phases: epoch e of this one reads Loader epoch earlierEpochs + e. */
  earlierEpochs?: number;
  /** How outputs are read (classes, loss, accuracy, class weights); default the recipe's two classes. */
  objective?: Objective;
  callbacks?: Callback[];
  /** The optimizer to step; by default a fresh Adam with Keras' defaults at `learningRate`. */
  optimizer?: tf.Optimizer;
  /** Epochs of this phase already done (Keras' initial_epoch): training resumes after them. */
  initialEpoch?: number;
  /** Aborting stops training at the next batch boundary; fit then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Counts the scalar parameters of the model's trainable weights. */
export function trainableParams(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/**
 * Runs one phase of a training loop with the optimizer (a fresh Keras Adam unless given) over the
 * model's trainable weights: `loop` supplies the steps and the validation, runPhase the callbacks.
 */
export async function trainPhase(
  model: tfl.LayersModel,
  train: SplitLoader,
  o: FitOptions,
  loop: (optimizer: tf.Optimizer, vars: tf.Variable[]) => Pick<PhaseLoop, 'steps' | 'validate'>,
): Promise<EpochLogs[]> {
  const optimizer = o.optimizer ?? new KerasAdam(o.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    return await runPhase({ ...o, trainableParams: trainableParams(model), batchesPerEpoch: () => train.batches, ...loop(optimizer, vars) });
  } finally {
    if (!o.optimizer) optimizer.dispose();
  }
}

/**
 * Trains the model's trainable weights with Adam (Keras defaults) on the objective's loss, on the
 * training Loader's shuffled, augmented batches, and validates after every epoch. Returns each
 * epoch's logs.
 */
export function fit(model: tfl.LayersModel, train: SplitLoader, validation: SplitLoader, o: FitOptions): Promise<EpochLogs[]> {
  const objective = o.objective ?? binaryObjective();
  return trainPhase(model, train, o, (optimizer, vars) => ({
    async *steps(epoch: number, turn: () => Promise<void>): AsyncGenerator<StepResult> {
      let index = 0;
      for await (const b of train.epoch(loaderEpoch(o.earlierEpochs ?? 0, epoch))) {
        let step: { loss: number; correct: number };
        try {
          await turn();
          step = await trainStep({
            model, forward: (x) => model.apply(x, { training: true }) as tf.Tensor, x: b.x, y: b.y, vars, optimizer, objective,
            dropoutSeed: dropoutSeed(o.seed, epoch, index),
          });
        } finally {
          tf.dispose([b.x, b.y]);
          b.release();
        }
        index++;
        yield { size: b.size, ...step };
      }
    },
    validate: () => evaluate(model, validation, { objective }),
  }));
}
