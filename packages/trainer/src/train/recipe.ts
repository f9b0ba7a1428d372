import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { pickBackend } from '../backend/pick_backend.js';
import { setPrecision } from '../backend/precision.js';
import type { SkippedImage } from '../datasets/example.js';
import { openDataset } from '../datasets/open_dataset.js';
import { sliceSplit } from '../datasets/split.js';
import { defaultSplits } from '../datasets/split_defaults.js';
import { Interrupted } from '../errors.js';
import { batchNormInInferenceMode } from '../models/inference_batch_norm.js';
import { runFrozenBaseNatively } from '../models/native_frozen_base.js';
import { renderConfusion } from '../plots/confusion.js';
import { renderCurves } from '../plots/curves.js';
import { RunDir } from '../run/run_dir.js';
import { TensorBoardLogger } from '../tensorboard/callback.js';
import { logFigures } from '../tensorboard/figures.js';
import { loadModel, saveModel } from '../weights/file_io.js';
import { KerasAdam } from './adam.js';
import { buildModel } from './build_model.js';
import type { Callback, EpochLogs } from './callbacks.js';
import { clearCheckpoints, readCheckpoint, restoreOptimizer, saveCheckpoint, type Checkpoint } from './checkpoint.js';
import type { RunControl, RunReporter, TrainConfig, TrainResult } from './config.js';
import { EarlyStopping } from './early_stopping.js';
import { evaluate } from './evaluate.js';
import { fitFrozenOnFeatures } from './feature_cache.js';
import { fit, trainableParams, type FitOptions } from './fit.js';
import { checkClasses, classWeights, splitShares } from './classes.js';
import { Objective } from './metrics.js';
import { epochOffsets, phasesFor } from './phases.js';
import { openSplits, trainAugment, type SplitLoaders } from './run_splits.js';
import { runSeeds } from './seeds.js';
import { formatSummary } from './summary.js';

/**
 * Trains the recipe's phases, continuing after the checkpoint's epoch when resuming. Each
 * completed epoch is checkpointed and logged to metrics.jsonl; `history` grows with it.
 */
async function trainPhases(
  config: TrainConfig,
  built: { model: tfl.LayersModel; base: tfl.LayersModel; pretrained: boolean },
  splits: SplitLoaders,
  objective: Objective,
  run: RunDir,
  history: EpochLogs[],
  report: RunReporter,
  checkpoint: Checkpoint | null,
  tensorboard: TensorBoardLogger | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { model, base, pretrained } = built;
  const seeds = runSeeds(config.seed);
  const phases = phasesFor(config, pretrained);
  const offsets = epochOffsets(phases);
  for (const [index, phase] of phases.entries()) {
    if (checkpoint && index < checkpoint.state.phase) continue;
    const initialEpoch = checkpoint && index === checkpoint.state.phase ? checkpoint.state.epoch : 0;
    base.trainable = phase.baseTrainable;
    if (phase.baseBatchNormInference) batchNormInInferenceMode(base);
    const optimizer = new KerasAdam(phase.learningRate);
    if (initialEpoch > 0) await restoreOptimizer(checkpoint!.dir, optimizer);
    // TensorBoard before the checkpoint: an epoch that a kill leaves unchecked is logged again
    // on resume, at the same step, and TensorBoard keeps the newer value.
    const callbacks: Callback[] = [
      ...(tensorboard ? [tensorboard] : []),
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
    const o: FitOptions = {
      phase: phase.name, epochs: phase.epochs, initialEpoch, learningRate: phase.learningRate, optimizer,
      seed: seeds.phase(index), earlierEpochs: offsets[index], objective, callbacks, signal,
    };
    try {
      const views = config.featureCacheViews ?? 0;
      if (phase.name === 'frozen' && views > 0) await fitFrozenOnFeatures(model, base, splits.train, splits.validation, { ...o, views });
      else await fit(model, splits.train, splits.validation, o);
    } catch (e) {
      if (signal?.aborted) throw new Interrupted(run.dir);
      throw e;
    } finally {
      optimizer.dispose();
    }
  }
}

/**
 * Runs the recipe end to end: data, the model, training with validation every epoch, test
 * evaluation, and the run directory (model/, metrics.jsonl, curves.png, summary.txt,
 * errors.jsonl, config.json). Every split is read through the native Loader.
 */
export async function trainRecipe(config: TrainConfig, report: RunReporter = {}, control: RunControl = {}): Promise<TrainResult> {
  const started = performance.now();
  const backend = await pickBackend(config.backend);
  report.info?.(`backend: ${backend.name} (${backend.reason})`);
  // Always set: the precision is the process's, and an earlier run in it may have changed it.
  await setPrecision(config.precision ?? 'float32');
  if (config.precision === 'mixed_bfloat16') report.info?.('precision: mixed_bfloat16 (convolutions and matmuls read bf16, accumulate float32)');

  // The dataset first: a source that cannot be opened, or not trained on, leaves no run directory behind.
  const opened = await openDataset(config.data, {
    demo: config.demo,
    folder: { seed: runSeeds(config.seed).folderOrder },
    onInfo: (line) => report.info?.(line),
    onScanProgress: report.onScanProgress,
  });
  const { examples, classNames, skipped } = opened;
  checkClasses(classNames, opened.location);
  const splits = defaultSplits(opened.kind, config.splits);
  const trainExamples = sliceSplit(examples, splits.train);
  const objective = new Objective(classNames.length, config.accuracyRule, classWeights(config.classWeight, classNames, trainExamples));
  config = { ...config, splits };

  const run = control.resume ? RunDir.open(control.resume) : await RunDir.create(config.out);
  const checkpoint = control.resume ? await readCheckpoint(run.dir) : null;
  if (control.resume && !checkpoint) throw new Error(`${run.dir}: no checkpoint to resume from (checkpoint.json is missing)`);
  if (!control.resume) await run.writeJson('config.json', config);
  report.info?.(`run directory: ${run.dir}${checkpoint ? ` (resuming after epoch ${checkpoint.state.epoch} of phase ${checkpoint.state.phase + 1})` : ''}`);
  for (const s of skipped) {
    report.warn?.(`skipped ${s.source}: ${s.reason}`);
    await run.appendJsonl('errors.jsonl', { stage: 'scan', ...s });
  }

  const failures: SkippedImage[] = [];
  let errorLog = Promise.resolve();
  const loaders = openSplits(examples, { ...config, splits }, (split, s) => {
    report.warn?.(`skipped ${s.source}: ${s.reason}`);
    failures.push(s);
    errorLog = errorLog.then(() => run.appendJsonl('errors.jsonl', { stage: 'decode', split, ...s }));
  });
  let tensorboard: TensorBoardLogger | undefined;
  try {
    const shares = splitShares(examples.length, classNames.length, splits, {
      train: loaders.train.examples.length, validation: loaders.validation.examples.length, test: loaders.test.examples.length,
    });
    report.info?.(shares.line);
    if (shares.unused) report.warn?.(shares.unused);
    if (objective.weights) report.info?.(`class weights: ${classNames.map((c, i) => `${c} ${objective.weights![i]!.toFixed(3)}`).join(', ')}`);
    const built = await buildModel(config, report, { units: objective.units, classNames });
    const { model } = built;
    if (backend.name === 'cpu') report.info?.(`frozen base: ${await runFrozenBaseNatively(built.base)}`);
    const history: EpochLogs[] = checkpoint ? [...checkpoint.state.history] : [];
    if (checkpoint) {
      const saved = await loadModel(checkpoint.dir);
      model.setWeights(saved.getWeights());
      saved.dispose();
      // metrics.jsonl is rewritten from the checkpoint, so an epoch logged after the last
      // checkpoint by the killed process is not counted twice.
      await run.writeText('metrics.jsonl', history.map((h) => JSON.stringify(h) + '\n').join(''));
    }
    if (config.tensorboard) {
      tensorboard = await TensorBoardLogger.open({ ...config.tensorboard, dir: config.tensorboard.dir ?? run.path('logs') }, built.model, phasesFor(config, built.pretrained));
      // A resumed run has its figures from the first process.
      if (!checkpoint) {
        await logFigures(tensorboard, loaders.train.examples, classNames, {
          size: [config.imageSize, config.imageSize], threads: config.threads, seed: config.seed, augment: trainAugment(config),
        });
      }
    }
    await trainPhases(config, built, loaders, objective, run, history, report, checkpoint, tensorboard, control.signal);
    const test = await evaluate(model, loaders.test, { objective });
    await errorLog;
    const counts = { train: loaders.train.count, validation: loaders.validation.count, test: loaders.test.count };
    await saveModel(model, run.path('model'));
    await run.writeJson('model/preprocessing.json', {
      classNames,
      inputSize: [config.imageSize, config.imageSize],
      resize: 'bilinear, half-pixel centres (tf.image.resize)',
      input: 'RGB uint8 values as float32 in [0, 255]; the model rescales to [-1, 1] itself',
      output: objective.units === 1 ? 'one logit: sigmoid(logit) is the probability of classNames[1]' : `${objective.units} logits: softmax gives the probability of each of classNames`,
    });
    await renderCurves(run.path('metrics.jsonl'), run.path('curves.png'));
    const confusion = await renderConfusion(classNames, test.confusion, run.path('confusion.png'), `test split: ${test.count} images`);
    await tensorboard?.testImages(history.at(-1), { confusion_matrix: confusion });
    await clearCheckpoints(run.dir);
    const seconds = (performance.now() - started) / 1000;
    const result: TrainResult = { runDir: run.dir, backend, history, test, counts, skipped, failures, seconds };
    await run.writeText('summary.txt', formatSummary(result, { classNames, params: model.countParams(), trainable: trainableParams(model) }));
    model.dispose();
    tf.disposeVariables();
    return result;
  } finally {
    // The Loaders' native threads would keep the process alive after an interrupt.
    await Promise.all([loaders.train.close(), loaders.validation.close(), loaders.test.close(), tensorboard?.close()]);
    await errorLog;
  }
}
