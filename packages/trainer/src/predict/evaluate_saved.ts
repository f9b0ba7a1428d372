import { SplitLoader } from '../data/split_loader.js';
import type { DemoOptions } from '../datasets/demo_set.js';
import type { SkippedImage } from '../datasets/example.js';
import { openDataset } from '../datasets/open_dataset.js';
import { sliceSplit } from '../datasets/split.js';
import { evaluate, type Evaluation } from '../train/evaluate.js';
import { Objective, type AccuracyRule } from '../train/metrics.js';
import type { SavedModel } from './saved_model.js';

export interface EvaluateSavedOptions {
  /** The --data source; default: the run's config.json. */
  data?: string;
  /** A TFDS split string; default: the run's test split. */
  split?: string;
  /** Default: the run's batch size, else 32. */
  batchSize?: number;
  /** Default: the run's rule, else 'logit0'. */
  accuracyRule?: AccuracyRule;
  threads?: number;
  /** The demo set's options when data is 'demo'; default: the run's. */
  demo?: DemoOptions;
  /** Seed of a folder-per-class dataset's order; default: the run's seed, else 1337. */
  seed?: number;
  /** Images evaluated so far, of the split's total. */
  onProgress?: (done: number, total: number) => void;
  onInfo?: (line: string) => void;
}

export interface SavedEvaluation extends Evaluation {
  data: string;
  split: string;
  classNames: string[];
  accuracyRule: AccuracyRule;
  /** Files the dataset's rules left out of the whole dataset (not only this split). */
  skipped: SkippedImage[];
  /** Files of the split that failed to decode; they are not counted. */
  failures: SkippedImage[];
}

/**
 * Evaluates a saved model on a split of a dataset: opens the dataset, slices the split, reads it
 * through the Loader at the model's input size, and counts the confusion matrix and per-class scores.
 * Defaults come from the run's config.json.
 */
export async function evaluateSavedModel(saved: SavedModel, options: EvaluateSavedOptions = {}): Promise<SavedEvaluation> {
  const config = saved.config ?? {};
  const data = options.data ?? config.data;
  const split = options.split ?? config.splits?.test;
  const where = saved.runDir ? `${saved.runDir}/config.json` : 'the model folder (no run directory around it)';
  if (data === undefined) throw new Error(`no --data given and ${where} names none; pass --data (demo, cats_vs_dogs, a .zip or a folder)`);
  if (split === undefined) throw new Error(`no --split given and ${where} names no test split; pass --split, e.g. "train[50%:60%]"`);
  const opened = await openDataset(data, {
    demo: options.demo ?? config.demo,
    folder: { seed: options.seed ?? config.seed ?? 1337 },
    onInfo: options.onInfo,
  });
  const modelClasses = saved.preprocessing.classNames;
  if (opened.classNames.length !== modelClasses.length || opened.classNames.some((c, i) => c !== modelClasses[i])) {
    throw new Error(
      `${opened.location}: its classes [${opened.classNames.join(', ')}] differ from the model's [${modelClasses.join(', ')}] ` +
        `(${saved.modelDir}/preprocessing.json); evaluate on data with the classes the model was trained on`,
    );
  }
  const examples = sliceSplit(opened.examples, split);
  const failures: SkippedImage[] = [];
  const loader = new SplitLoader(examples, {
    size: saved.preprocessing.inputSize,
    batchSize: options.batchSize ?? config.batchSize ?? 32,
    threads: options.threads,
    cache: 'none',
    onSkip: (s) => failures.push(s),
  });
  const accuracyRule = options.accuracyRule ?? config.accuracyRule ?? 'logit0';
  try {
    const objective = new Objective(modelClasses.length, accuracyRule);
    if (objective.units !== saved.units) {
      throw new Error(`${saved.modelDir}: ${saved.units} output units for ${modelClasses.length} classes in preprocessing.json (expected ${objective.units})`);
    }
    const result = await evaluate(saved.model, loader, { objective, onProgress: options.onProgress });
    return { ...result, data, split, classNames: modelClasses, accuracyRule, skipped: opened.skipped, failures };
  } finally {
    await loader.close();
  }
}
