import type { TrainConfig } from './config.js';

/** One training phase of the recipe. */
export interface Phase {
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

/** Where each phase's epochs start in the run's count: the epochs of the phases before it. */
export function epochOffsets(phases: readonly { epochs: number }[]): number[] {
  let earlier = 0;
  return phases.map((p) => {
    const start = earlier;
    earlier += p.epochs;
    return start;
  });
}
