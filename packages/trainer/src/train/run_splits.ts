import type { RandomAugment } from '@xfer/native-preproc';
import { SplitLoader } from '../data/split_loader.js';
import type { Example, SkippedImage } from '../datasets/example.js';
import { sliceSplit } from '../datasets/split.js';
import type { Splits } from '../datasets/split_defaults.js';
import type { TrainConfig } from './config.js';
import { runSeeds } from './seeds.js';

/** The run's three splits, each through its own Loader. */
export interface SplitLoaders {
  train: SplitLoader;
  validation: SplitLoader;
  test: SplitLoader;
}

/** The training split's augmentation (Keras RandomFlip("horizontal") + RandomRotation). */
export function trainAugment(config: Pick<TrainConfig, 'flip' | 'rotation'>): RandomAugment {
  return { flip: config.flip ? 'horizontal' : 'none', rotation: config.rotation };
}

/**
 * The training split shuffles and augments (Keras RandomFlip + RandomRotation) and keeps its
 * resized images in the configured cache. Validation neither shuffles nor augments and is cached
 * in memory, so epochs after the first decode nothing; the test split is read once, uncached.
 */
export function openSplits(
  examples: readonly Example[],
  config: Pick<TrainConfig, 'imageSize' | 'batchSize' | 'threads' | 'seed' | 'flip' | 'rotation' | 'prefetch' | 'cache'> & { splits: Splits },
  onSkip: (split: keyof Splits, s: SkippedImage) => void,
): SplitLoaders {
  const common = { size: [config.imageSize, config.imageSize] as [number, number], batchSize: config.batchSize, threads: config.threads };
  const slice = (name: keyof Splits) => sliceSplit(examples, config.splits[name]);
  const cache = config.cache === undefined || config.cache === 'memory' || config.cache === 'none' ? (config.cache ?? 'memory') : { path: config.cache };
  return {
    train: new SplitLoader(slice('train'), {
      ...common,
      seed: runSeeds(config.seed).loader,
      shuffle: true,
      augment: trainAugment(config),
      prefetch: config.prefetch,
      cache,
      onSkip: (s) => onSkip('train', s),
    }),
    validation: new SplitLoader(slice('validation'), { ...common, cache: 'memory', onSkip: (s) => onSkip('validation', s) }),
    test: new SplitLoader(slice('test'), { ...common, cache: 'none', onSkip: (s) => onSkip('test', s) }),
  };
}
