import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Callback, EpochLogs } from './callbacks.js';

export interface EarlyStoppingOptions {
  /** The quantity watched (default 'valLoss'); accuracies are maximised, losses minimised. */
  monitor?: 'valLoss' | 'valAccuracy' | 'loss' | 'accuracy';
  /** Epochs without improvement before stopping (default 0, as Keras). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put back the weights of the best epoch when training ends (default false, as Keras). */
  restoreBestWeights?: boolean;
}

/** Keras' EarlyStopping: stops when the monitored value stops improving, optionally restoring the best weights. */
export class EarlyStopping implements Callback {
  stopTraining = false;
  best = NaN;
  bestEpoch = 0;
  private wait = 0;
  private bestWeights: tf.Tensor[] | null = null;
  private readonly o: Required<EarlyStoppingOptions>;

  constructor(private readonly model: tfl.LayersModel, options: EarlyStoppingOptions = {}) {
    this.o = { monitor: 'valLoss', patience: 0, minDelta: 0, restoreBestWeights: false, ...options };
  }

  private improved(value: number): boolean {
    if (Number.isNaN(this.best)) return true;
    return this.o.monitor.toLowerCase().includes('loss') ? value < this.best - this.o.minDelta : value > this.best + this.o.minDelta;
  }

  onEpochEnd(logs: EpochLogs): void {
    const value = logs[this.o.monitor];
    if (this.improved(value)) {
      this.best = value;
      this.bestEpoch = logs.epoch;
      this.wait = 0;
      if (this.o.restoreBestWeights) {
        tf.dispose(this.bestWeights ?? []);
        this.bestWeights = this.model.getWeights().map((w) => w.clone());
      }
      return;
    }
    this.wait++;
    if (this.wait > this.o.patience) this.stopTraining = true;
  }

  onTrainEnd(): void {
    if (this.stopTraining && this.bestWeights) this.model.setWeights(this.bestWeights);
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = null;
  }
}
