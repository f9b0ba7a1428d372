import type { BackendChoice, BackendName } from '../backend/pick_backend.js';
import type { Precision } from '../backend/precision.js';
import type { SkippedImage } from '../datasets/example.js';
import type { Splits } from '../datasets/split_defaults.js';
import type { BaseName } from '../models/base_model.js';
import type { Callback, EpochLogs } from './callbacks.js';
import type { Evaluation } from './evaluate.js';
import type { AccuracyRule } from './metrics.js';

/** Everything a training run needs. The CLI fills it from flags; defaults follow the Keras recipe. */
export interface TrainConfig {
  /** 'demo', 'cats_vs_dogs', a kagglecatsanddogs zip, a folder holding PetImages/, or a folder of class folders. */
  data: string;
  /** The generated demo set, when data is 'demo'. */
  demo: { perClass: number; minSize?: number; maxSize?: number };
  /**
   * TFDS split strings over the dataset's canonical order. Those left out default by source
   * (defaultSplits): the recipe's 40/10/10 for cats_vs_dogs, 80/10/10 for any other.
   */
  splits: Partial<Splits>;
  imageSize: number;
  batchSize: number;
  model: BaseName;
  /**
   * 'none' (train the base from scratch), 'imagenet' (Keras' Xception weights), 'demo' (the small
   * base pretrained on a separate demo set, made and cached on first use), a Keras weights file
   * (legacy .h5, .weights.h5 or .keras), or an earlier xfer run (its run directory or model/
   * folder: its base, and its classifier when the classes are the same).
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
  /** Where the training Loader keeps resized images: 'memory' (default), 'none', or a cache file path. */
  cache?: string;
  seed: number;
  threads?: number;
  backend?: BackendName;
  /** What convolutions and matmuls compute in (Keras' policy names); 'float32' by default. */
  precision?: Precision;
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
  /**
   * Keras' class_weight: 'balanced' (n / (classes · count), from the training split), or a weight
   * per class name; classes not named weigh 1. Off by default.
   */
  classWeight?: 'balanced' | Record<string, number>;
  /**
   * TensorBoard event files as Keras' TensorBoard callback writes them (train/ and validation/
   * scalars, the sample grid in train/, the test confusion matrix in test/), flushed every epoch. `dir` defaults to logs/ in the run directory, so that
   * `tensorboard --logdir runs/` shows every run; `updateFreq` adds batch scalars every n batches,
   * `histogramFreq` weight histograms every n epochs.
   */
  tensorboard?: { dir?: string; updateFreq?: number; histogramFreq?: number };
}

/** Progress reporting for a run: the training callbacks plus plain status lines. */
export interface RunReporter extends Callback {
  info?(line: string): void;
  /** A file that was skipped or failed to decode; the run goes on. */
  warn?(line: string): void;
  /** Progress of listing the dataset (reading each file's first bytes). */
  onScanProgress?(done: number, total: number): void;
}

export interface TrainResult {
  runDir: string;
  backend: BackendChoice;
  history: EpochLogs[];
  test: Evaluation;
  counts: { train: number; validation: number; test: number };
  /** Files the dataset's rules left out. */
  skipped: SkippedImage[];
  /** Images of the splits that could not be read or decoded; training went on without them. */
  failures: SkippedImage[];
  seconds: number;
}

/** How a run is driven from outside: resuming a run directory, and stopping it. */
export interface RunControl {
  /** A run directory with a checkpoint: training continues after its last completed epoch. */
  resume?: string;
  /** Aborting stops training at the next batch; the last completed epoch stays checkpointed. */
  signal?: AbortSignal;
}
