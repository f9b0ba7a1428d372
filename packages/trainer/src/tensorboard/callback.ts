import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BatchLogs, Callback, EpochLogs } from '../train/callbacks.js';
import { epochOffsets } from '../train/phases.js';
import { EventFileWriter, type Picture } from './event_file.js';
import { weightHistograms } from './histogram.js';

export interface TensorBoardOptions {
  /** The log directory; `train/` and `validation/` are made in it. */
  dir: string;
  /** Write batch scalars every this many batches (Keras' integer update_freq); epoch scalars only when left out. */
  updateFreq?: number;
  /** Write weight histograms in train/ every this many epochs, from the run's first (Keras' histogram_freq); none when left out. */
  histogramFreq?: number;
}

/**
 * Keras' TensorBoard callback, laid out as Keras lays it out: epoch_loss, epoch_accuracy and
 * epoch_learning_rate in train/, epoch_loss, epoch_accuracy and evaluation_*_vs_iterations in
 * validation/, batch_* in train/ every updateFreq batches, weight histograms in train/ every
 * histogramFreq epochs. Pictures go where the recipe asks: the sample and augmentation grids in
 * train/, the test split's confusion matrix in test/.
 *
 * Steps run across the recipe's phases, as one Keras fit continued with initial_epoch would
 * count them: the epoch step is the 0-based epoch of the whole run, the batch step the 1-based
 * batch of the whole run. A resumed run therefore continues the same curves from new files.
 */
export class TensorBoardLogger implements Callback {
  private readonly offsets = new Map<string, number>();
  private learningRate = NaN;
  private batches = 0;
  private test: Promise<EventFileWriter> | undefined;

  private constructor(
    private readonly train: EventFileWriter,
    private readonly validation: EventFileWriter,
    private readonly options: TensorBoardOptions,
    private readonly model: tfl.LayersModel,
    phases: readonly { name: string; epochs: number }[],
  ) {
    const starts = epochOffsets(phases);
    phases.forEach((p, i) => this.offsets.set(p.name, starts[i]!));
  }

  /** Opens a new pair of event files, as each TensorFlow process does, next to any earlier ones. */
  static async open(options: TensorBoardOptions, model: tfl.LayersModel, phases: readonly { name: string; epochs: number }[]): Promise<TensorBoardLogger> {
    const train = await EventFileWriter.create(path.join(options.dir, 'train'));
    const validation = await EventFileWriter.create(path.join(options.dir, 'validation'));
    return new TensorBoardLogger(train, validation, options, model, phases);
  }

  onPhaseBegin(_phase: string, info: { learningRate: number }): void {
    this.learningRate = info.learningRate;
  }

  async onBatchEnd(logs: BatchLogs): Promise<void> {
    this.batches = logs.batches;
    const { updateFreq } = this.options;
    if (!updateFreq) return;
    const step = this.epochStep(logs) * logs.batches + logs.batch;
    if (step % updateFreq === 0) await this.train.scalars(step, { batch_loss: logs.loss, batch_accuracy: logs.accuracy });
  }

  async onEpochEnd(logs: EpochLogs): Promise<void> {
    const step = this.epochStep(logs);
    await this.train.scalars(step, { epoch_loss: logs.loss, epoch_accuracy: logs.accuracy, epoch_learning_rate: this.learningRate });
    await this.validation.scalars(step, { epoch_loss: logs.valLoss, epoch_accuracy: logs.valAccuracy });
    // Keras steps these by the optimizer's iterations: the batches trained so far.
    await this.validation.scalars((step + 1) * this.batches, {
      evaluation_loss_vs_iterations: logs.valLoss,
      evaluation_accuracy_vs_iterations: logs.valAccuracy,
    });
    const { histogramFreq } = this.options;
    if (histogramFreq && step % histogramFreq === 0) await this.train.histograms(step, weightHistograms(this.model));
  }

  /** Pictures in train/, such as the sample and augmentation grids at step 0. */
  async trainImages(step: number, values: Record<string, Picture>): Promise<void> {
    await this.train.images(step, values);
  }

  /**
   * Pictures of the test split, at the step of the last epoch trained (0 when none was).
   * test/ is opened only now: nothing else of a run is written there.
   */
  async testImages(last: { phase: string; epoch: number } | undefined, values: Record<string, Picture>): Promise<void> {
    this.test ??= EventFileWriter.create(path.join(this.options.dir, 'test'));
    await (await this.test).images(last ? this.epochStep(last) : 0, values);
  }

  async close(): Promise<void> {
    await Promise.all([this.train.close(), this.validation.close(), this.test?.then((w) => w.close())]);
  }

  private epochStep(logs: { phase: string; epoch: number }): number {
    return (this.offsets.get(logs.phase) ?? 0) + logs.epoch - 1;
  }
}
