import { notify, type Callback, type EpochLogs } from './callbacks.js';

/** What one training step did. */
export interface StepResult {
  size: number;
  /** The batch's mean loss. */
  loss: number;
  correct: number;
}

/**
 * One phase as the shared loop drives it. Every training loop (the plain one, the feature cache)
 * is a PhaseLoop, so every one honours the same callbacks: progress, abort, early stopping.
 */
export interface PhaseLoop {
  phase: string;
  epochs: number;
  /** Epochs of this phase already done (Keras' initial_epoch): training resumes after them. */
  initialEpoch?: number;
  learningRate: number;
  trainableParams: number;
  callbacks?: Callback[];
  /** Aborting stops training at the next batch boundary; the loop then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Batches per epoch, for progress (an upper bound while failed images are still being found). */
  batchesPerEpoch(): number;
  /**
   * The epoch's training steps, in order. `turn` is awaited before each unit of work: it lets
   * signal handlers and progress output run, and throws once the signal is aborted.
   */
  steps(epoch: number, turn: () => Promise<void>): AsyncIterable<StepResult>;
  /** Loss and accuracy on the validation split after an epoch. */
  validate(): Promise<{ loss: number; accuracy: number }>;
}

/**
 * Runs a phase's epochs: onPhaseBegin, then per epoch the steps (onBatchEnd after each), the
 * validation and onEpochEnd; a callback's stopTraining ends the phase after its epoch, and
 * onTrainEnd (where EarlyStopping restores its best weights) closes it. Returns each epoch's logs.
 */
export async function runPhase(loop: PhaseLoop): Promise<EpochLogs[]> {
  const callbacks = loop.callbacks ?? [];
  const signal = loop.signal;
  const turn = async (): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw signal.reason;
  };
  await notify(callbacks, 'onPhaseBegin', loop.phase, { epochs: loop.epochs, learningRate: loop.learningRate, trainableParams: loop.trainableParams });
  const history: EpochLogs[] = [];
  for (let epoch = (loop.initialEpoch ?? 0) + 1; epoch <= loop.epochs; epoch++) {
    const started = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let batch = 0;
    for await (const step of loop.steps(epoch, turn)) {
      lossSum += step.loss * step.size;
      correct += step.correct;
      seen += step.size;
      batch++;
      const seconds = (performance.now() - started) / 1000;
      await notify(callbacks, 'onBatchEnd', {
        phase: loop.phase, epoch, batch, batches: Math.max(batch, loop.batchesPerEpoch()),
        loss: lossSum / seen, accuracy: correct / seen, imagesPerSec: seen / seconds, seconds,
      });
    }
    const trainSeconds = (performance.now() - started) / 1000;
    const val = await loop.validate();
    const logs: EpochLogs = {
      phase: loop.phase, epoch, epochs: loop.epochs,
      loss: lossSum / seen, accuracy: correct / seen,
      valLoss: val.loss, valAccuracy: val.accuracy,
      seconds: (performance.now() - started) / 1000, imagesPerSec: seen / trainSeconds,
    };
    history.push(logs);
    await notify(callbacks, 'onEpochEnd', logs);
    if (callbacks.some((c) => c.stopTraining)) break;
  }
  await notify(callbacks, 'onTrainEnd', history);
  return history;
}
