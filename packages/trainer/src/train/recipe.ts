import * as tf from '@tensorflow/tfjs-core';
import { pickBackend, type BackendChoice, type BackendName } from '../backend/pick_backend.js';
import { decodeSplit, type DecodedSplit, type DecodeFailure } from '../data/decoded_split.js';
import { loaderSource, type BatchSource } from '../data/loader_source.js';
import { openDataset, sliceSplit, type SkippedFile } from '../datasets/index.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import { batchNormInInferenceMode } from '../models/inference_batch_norm.js';
import { miniXception } from '../models/mini_xception.js';
import { xception } from '../models/xception.js';
import { demoPretrainedWeights } from '../weights/demo_pretrained.js';
import { imagenetXceptionWeights } from '../weights/imagenet.js';
import { loadKerasWeights } from '../weights/keras_weights.js';
import { transferModel } from '../models/transfer_model.js';
import { RunDir } from '../run/run_dir.js';
import { loadModel, saveModel } from '../weights/file_io.js';
import { KerasAdam } from './adam.js';
import type { Callback, EpochLogs } from './callbacks.js';
import { clearCheckpoints, readCheckpoint, restoreOptimizer, saveCheckpoint } from './checkpoint.js';
import { EarlyStopping } from './early_stopping.js';
import { fitFrozenOnFeatures } from './feature_cache.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { fit, trainableParams } from './fit.js';
import type { AccuracyRule } from './metrics.js';
import { renderCurves } from '../plots/curves.js';
import { formatSummary } from './summary.js';

/** Everything a training run needs. The CLI fills it from flags; defaults follow the Keras recipe. */
export interface TrainConfig {
  /** 'demo', 'cats_vs_dogs', a kagglecatsanddogs zip, a folder holding PetImages/, or a folder of class folders. */
  data: string;
  /** The generated demo set, when data is 'demo'. */
  demo: { perClass: number; minSize?: number; maxSize?: number };
  /** TFDS split strings over the dataset's canonical order. */
  splits: { train: string; validation: string; test: string };
  imageSize: number;
  batchSize: number;
  model: 'mini-xception' | 'xception';
  /**
   * 'none' (train the base from scratch), 'imagenet' (Keras' Xception weights), 'demo' (the small
   * base pretrained on a separate demo set, made and cached on first use) or a Keras weights file
   * (legacy .h5, .weights.h5 or .keras).
   */
  weights: string;
  /** Epochs of the first phase (frozen base, or the whole model when not pretrained). */
  epochs: number;
  learningRate: number;
  /** Epochs of the fine-tune phase (base unfrozen, BatchNorm in inference mode); 0 skips it. */
  fineTuneEpochs: number;
  fineTuneLearningRate: number;
  dropout: number;
  flip: boolean;
  /** Keras RandomRotation factor for the training split: angles uniform in ±factor·2π (0.1 = ±36°). */
  rotation: number;
  /** Training batches the native Loader prepares ahead (tf.data's prefetch). */
  prefetch?: number;
  /** Where the Loader keeps resized training images: 'memory' (default), 'none', or a cache file path. */
  cache?: string;
  seed: number;
  threads?: number;
  backend?: BackendName;
  /** Directory under which the run directory is created. */
  out: string;
  /**
   * Train the frozen phase on cached base features, with this many augmented views per image
   * (0: the plain loop). Only a pretrained (frozen) base has such a phase.
   */
  featureCacheViews?: number;
  /** Stop a phase when validation loss stops improving for this many epochs, restoring its best weights. */
  earlyStoppingPatience?: number;
  accuracyRule: AccuracyRule;
}

/** Progress reporting for a run: the training callbacks plus plain status lines. */
export interface RunReporter extends Callback {
  info?(line: string): void;
  /** A file that was skipped or failed to decode; the run goes on. */
  warn?(line: string): void;
  onDecodeProgress?(split: string, done: number, total: number): void;
}

export interface TrainResult {
  runDir: string;
  backend: BackendChoice;
  history: EpochLogs[];
  test: Evaluation;
  counts: { train: number; validation: number; test: number };
  skipped: SkippedFile[];
  failures: DecodeFailure[];
  seconds: number;
}

/** How a run is driven from outside: resuming a run directory, and stopping it. */
export interface RunControl {
  /** A run directory with a checkpoint: training continues after its last completed epoch. */
  resume?: string;
  /** Aborting stops training at the next batch; the last completed epoch stays checkpointed. */
  signal?: AbortSignal;
}

/** Training was stopped through RunControl.signal; the run can be resumed. */
export class Interrupted extends Error {
  readonly code = 'INTERRUPTED';
}

/** One training phase of the recipe. */
interface Phase {
  name: string;
  epochs: number;
  learningRate: number;
  baseTrainable: boolean;
  /** Pin the base's BatchNorm to its moving statistics from this phase on. */
  baseBatchNormInference: boolean;
}

/**
 * The recipe's two phases. With pretrained weights: the base frozen, then unfrozen at the low
 * learning rate, its BatchNorm in inference mode throughout. A base trained from scratch (the
 * demo) is trained whole first, then fine-tuned the same way as a pretrained one.
 */
export function phasesFor(config: Pick<TrainConfig, 'epochs' | 'fineTuneEpochs' | 'learningRate' | 'fineTuneLearningRate'>, pretrained: boolean): Phase[] {
  const phases: Phase[] = [
    pretrained
      ? { name: 'frozen', epochs: config.epochs, learningRate: config.learningRate, baseTrainable: false, baseBatchNormInference: true }
      : { name: 'train', epochs: config.epochs, learningRate: config.learningRate, baseTrainable: true, baseBatchNormInference: false },
  ];
  if (config.fineTuneEpochs > 0) {
    phases.push({ name: 'fine-tune', epochs: config.fineTuneEpochs, learningRate: config.fineTuneLearningRate, baseTrainable: true, baseBatchNormInference: true });
  }
  return phases;
}

async function weightsFile(config: TrainConfig, report: RunReporter): Promise<string> {
  if (config.weights === 'imagenet') return imagenetXceptionWeights();
  if (config.weights !== 'demo') return config.weights;
  if (config.model !== 'mini-xception') throw new Error(`--weights demo is for the mini-xception base, not ${config.model}`);
  // Half the demo's size: pretraining stays a fraction of the run, and tiny test sets stay tiny.
  const perClass = Math.max(8, Math.ceil(config.demo.perClass / 2));
  return demoPretrainedWeights({ imageSize: config.imageSize, perClass, epochs: 3, seed: config.seed, threads: config.threads, onInfo: report.info });
}

async function buildModel(config: TrainConfig, report: RunReporter): Promise<{ model: tfl.LayersModel; base: tfl.LayersModel; pretrained: boolean }> {
  const inputShape: [number, number, number] = [config.imageSize, config.imageSize, 3];
  // Seeded initial weights: a resumed run rebuilds the same model as the one it continues.
  const seed = config.seed;
  const base = config.model === 'xception' ? xception({ inputShape, seed }) : miniXception({ inputShape, seed });
  let pretrained = false;
  if (config.weights !== 'none') {
    const file = await weightsFile(config, report);
    await loadKerasWeights(base, file);
    report.info?.(`weights: ${file}`);
    pretrained = true;
  }
  // A base trained from scratch needs batch statistics; phasesFor pins them later.
  const model = transferModel(base, { dropout: config.dropout, baseBatchNorm: pretrained ? 'inference' : 'batch', seed: seed + 1_000_003 });
  return { model, base, pretrained };
}

/**
 * Runs the recipe end to end: data, decode through the native addon, model, training with
 * validation every epoch, test evaluation, and the run directory (model/, metrics.jsonl,
 * summary.txt, errors.jsonl, config.json).
 */
export async function trainRecipe(config: TrainConfig, report: RunReporter = {}, control: RunControl = {}): Promise<TrainResult> {
  const started = performance.now();
  const backend = await pickBackend(config.backend);
  report.info?.(`backend: ${backend.name} (${backend.reason})`);

  // The dataset first: a source that cannot be opened leaves no run directory behind.
  const { examples, classNames, skipped } = await openDataset(config.data, {
    demo: config.demo,
    folder: { seed: config.seed },
    onInfo: (line) => report.info?.(line),
    onScanProgress: (done, total) => report.onDecodeProgress?.('scan', done, total),
  });

  const run = control.resume ? RunDir.open(control.resume) : await RunDir.create(config.out);
  const checkpoint = control.resume ? await readCheckpoint(run.dir) : null;
  if (control.resume && !checkpoint) throw new Error(`${run.dir}: no checkpoint to resume from (checkpoint.json is missing)`);
  if (!control.resume) await run.writeJson('config.json', config);
  report.info?.(`run directory: ${run.dir}${checkpoint ? ` (resuming after epoch ${checkpoint.state.epoch} of phase ${checkpoint.state.phase + 1})` : ''}`);
  for (const s of skipped) {
    report.warn?.(`skipped ${s.source}: ${s.reason}`);
    await run.appendJsonl('errors.jsonl', { stage: 'scan', ...s });
  }

  const size: [number, number] = [config.imageSize, config.imageSize];
  const failures: DecodeFailure[] = [];
  const logFailure = async (split: string, f: DecodeFailure) => {
    report.warn?.(`skipped ${f.source}: ${f.reason}`);
    failures.push(f);
    await run.appendJsonl('errors.jsonl', { stage: 'decode', split, ...f });
  };
  const decode = async (name: 'train' | 'validation' | 'test') => {
    const split = await decodeSplit(sliceSplit(examples, config.splits[name]), {
      size,
      threads: config.threads,
      onProgress: (done, total) => report.onDecodeProgress?.(name, done, total),
    });
    for (const f of split.failures) await logFailure(name, f);
    return split;
  };
  // The training split goes through the native Loader (cache, shuffle, Keras flip + rotation in
  // native threads), except for the feature cache, which keeps the split in memory itself.
  const useLoader = (config.featureCacheViews ?? 0) === 0;
  let skipLog = Promise.resolve();
  const train: DecodedSplit | BatchSource = useLoader
    ? await loaderSource(sliceSplit(examples, config.splits.train), {
        size,
        batchSize: config.batchSize,
        seed: config.seed,
        augment: { flip: config.flip ? 'horizontal' : 'none', rotation: config.rotation },
        threads: config.threads,
        prefetch: config.prefetch,
        cache: config.cache === undefined || config.cache === 'memory' || config.cache === 'none' ? (config.cache ?? 'memory') : { path: config.cache },
        onSkip: (source, reason) => {
          skipLog = skipLog.then(() => logFailure('train', { source, reason }));
        },
      })
    : await decode('train');
  const validation = await decode('validation');
  const testSplit = await decode('test');
  report.info?.(`examples: train ${train.count}, validation ${validation.count}, test ${testSplit.count}`);

  const { model, base, pretrained } = await buildModel(config, report);
  const history: EpochLogs[] = checkpoint ? [...checkpoint.state.history] : [];
  if (checkpoint) {
    const saved = await loadModel(checkpoint.dir);
    model.setWeights(saved.getWeights());
    saved.dispose();
    // metrics.jsonl is rewritten from the checkpoint, so an epoch logged after the last
    // checkpoint by the killed process is not counted twice.
    await run.writeText('metrics.jsonl', history.map((h) => JSON.stringify(h) + '\n').join(''));
  }
  try {
    const phases = phasesFor(config, pretrained);
    for (const [index, phase] of phases.entries()) {
      if (checkpoint && index < checkpoint.state.phase) continue;
      const initialEpoch = checkpoint && index === checkpoint.state.phase ? checkpoint.state.epoch : 0;
      base.trainable = phase.baseTrainable;
      if (phase.baseBatchNormInference) batchNormInInferenceMode(base);
      const optimizer = new KerasAdam(phase.learningRate);
      if (initialEpoch > 0) await restoreOptimizer(checkpoint!.dir, optimizer);
      const callbacks: Callback[] = [
        {
          onEpochEnd: async (logs) => {
            history.push(logs);
            await saveCheckpoint(run.dir, model, optimizer, { phase: index, epoch: logs.epoch, history });
            await run.appendJsonl('metrics.jsonl', logs);
          },
        },
        report,
      ];
      if (config.earlyStoppingPatience !== undefined) {
        callbacks.push(new EarlyStopping(model, { monitor: 'valLoss', patience: config.earlyStoppingPatience, restoreBestWeights: true }));
      }
      const common = {
        phase: phase.name,
        epochs: phase.epochs,
        initialEpoch,
        batchSize: config.batchSize,
        learningRate: phase.learningRate,
        optimizer,
        seed: config.seed + index * 100_003,
        flip: config.flip,
        accuracyRule: config.accuracyRule,
        callbacks,
      };
      try {
        if (phase.name === 'frozen' && (config.featureCacheViews ?? 0) > 0) {
          await fitFrozenOnFeatures(model, base, train as DecodedSplit, validation, { ...common, views: config.featureCacheViews! });
          continue;
        }
        await fit(model, train, validation, { ...common, signal: control.signal });
      } catch (e) {
        if (control.signal?.aborted) {
          throw new Interrupted(`interrupted; the last completed epoch is checkpointed. Resume with: xfer train --resume ${run.dir}`);
        }
        throw e;
      } finally {
        optimizer.dispose();
      }
    }

  } finally {
    // The loader's native threads would keep the process alive after an interrupt.
    if ('close' in train) await train.close();
  }
  await skipLog;
  const counts = { train: train.count, validation: validation.count, test: testSplit.count };
  const test = await evaluate(model, testSplit, { batchSize: config.batchSize, accuracyRule: config.accuracyRule });
  await saveModel(model, run.path('model'));
  await run.writeJson('model/preprocessing.json', {
    classNames,
    inputSize: [config.imageSize, config.imageSize],
    resize: 'bilinear, half-pixel centres (tf.image.resize)',
    input: 'RGB uint8 values as float32 in [0, 255]; the model rescales to [-1, 1] itself',
    output: 'one logit: sigmoid(logit) is the probability of classNames[1]',
  });
  await renderCurves(run.path('metrics.jsonl'), run.path('curves.png'));
  await clearCheckpoints(run.dir);
  const seconds = (performance.now() - started) / 1000;
  const result: TrainResult = { runDir: run.dir, backend, history, test, counts, skipped, failures, seconds };
  await run.writeText('summary.txt', formatSummary(result, { classNames, params: model.countParams(), trainable: trainableParams(model) }));
  model.dispose();
  tf.disposeVariables();
  return result;
}
