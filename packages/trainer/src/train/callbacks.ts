/** What one epoch did, as the JSONL log and the progress lines show it. */
export interface EpochLogs {
  phase: string;
  /** 1-based within the phase. */
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
  imagesPerSec: number;
}

export interface BatchLogs {
  phase: string;
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  imagesPerSec: number;
  /** Seconds since the epoch began. */
  seconds: number;
}

/** Keras-style hooks on the training loop. Every method is optional. */
export interface Callback {
  /** Set by a callback (as Keras' model.stop_training) to end training after this epoch. */
  stopTraining?: boolean;
  onTrainEnd?(history: EpochLogs[]): void | Promise<void>;
  onPhaseBegin?(phase: string, info: { epochs: number; learningRate: number; trainableParams: number }): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs): void | Promise<void>;
  onEpochEnd?(logs: EpochLogs): void | Promise<void>;
}

/** Calls every callback's hook in order. */
type Hook = 'onPhaseBegin' | 'onBatchEnd' | 'onEpochEnd' | 'onTrainEnd';

export async function notify<K extends Hook>(
  callbacks: readonly Callback[],
  hook: K,
  ...args: Parameters<NonNullable<Callback[K]>>
): Promise<void> {
  for (const c of callbacks) {
    const fn = c[hook] as ((...a: typeof args) => void | Promise<void>) | undefined;
    if (fn) await fn.apply(c, args);
  }
}
