import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { MAX_SIDE } from '@xfer/native-preproc';
import { missingDataSource, PRECISIONS, trainRecipe, XCEPTION_MIN_SIZE, type BackendName, type Precision, type TrainConfig } from '@xfer/trainer';
import { usageError } from '../exit_codes.js';
import { preflightOutput } from '../output_preflight.js';
import { progressReporter } from '../progress.js';
import { backendOption } from './common.js';

/**
 * Phase lengths and rates of the recipe (20 frozen + 10 fine-tune epochs, 1e-3 then 1e-5), and of
 * the demo: its small base is pretrained on a separate demo set (once, then cached), then gets 3
 * frozen epochs and 1 of fine-tuning at 1e-4, sized to finish in a few minutes on two cores.
 */
const RECIPE = { epochs: 20, fineTuneEpochs: 10, fineTuneLr: 1e-5 };
const DEMO = { epochs: 3, fineTuneEpochs: 1, fineTuneLr: 1e-4 };

export function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got '${v}'`);
    return n;
  };
}

export function nonNegativeInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
}

function nonNegativeNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative number, got '${v}'`);
    return n;
  };
}

export function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got '${v}'`);
    return n;
  };
}

function imageSide(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SIDE) throw new InvalidArgumentError(`--image-size must be an integer from 1 to ${MAX_SIDE}, got '${v}'`);
  return n;
}

/** --class-weight: 'balanced', or a JSON object of class name to weight. */
function classWeightFlag(v: string): 'balanced' | Record<string, number> {
  if (v === 'balanced') return v;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw new InvalidArgumentError(`--class-weight takes 'balanced' or a JSON object such as '{"cat": 1, "dog": 2.5}', got '${v}'`);
  }
  const ok = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0);
  if (!ok) throw new InvalidArgumentError(`--class-weight: each class needs a number >= 0, as in '{"cat": 1, "dog": 2.5}', got '${v}'`);
  return parsed as Record<string, number>;
}

function fraction(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`dropout must be in [0, 1), got '${v}'`);
  return n;
}

interface TrainFlags {
  data: string;
  demoPerClass: number;
  demoMinSize: number;
  demoMaxSize: number;
  trainSplit?: string;
  valSplit?: string;
  testSplit?: string;
  imageSize: number;
  batchSize: number;
  model: 'mini-xception' | 'xception';
  weights?: string;
  epochs?: number;
  fineTuneEpochs?: number;
  lr: number;
  fineTuneLr?: number;
  dropout: number;
  flip: boolean;
  rotation: number;
  prefetch: number;
  cache: string;
  seed: number;
  threads?: number;
  backend?: BackendName;
  precision: Precision;
  out: string;
  kerasAccuracy: boolean;
  quiet: boolean;
  earlyStopping?: number;
  resume?: string;
  featureCache?: number;
  classWeight?: 'balanced' | Record<string, number>;
  tensorboard?: string | true;
  tensorboardUpdateFreq?: number;
  tensorboardHistogramFreq?: number;
}

/** --tensorboard [dir]: a folder given is kept absolute, so that --resume from elsewhere finds it. */
function tensorboardConfig(f: TrainFlags): TrainConfig['tensorboard'] {
  if (f.tensorboard === undefined && f.tensorboardUpdateFreq === undefined && f.tensorboardHistogramFreq === undefined) return undefined;
  const dir = typeof f.tensorboard === 'string' ? path.resolve(f.tensorboard) : undefined;
  return { dir, updateFreq: f.tensorboardUpdateFreq, histogramFreq: f.tensorboardHistogramFreq };
}

/** Turns flags into the trainer's configuration, filling per-source defaults. */
export function resolveTrainConfig(f: TrainFlags): TrainConfig {
  const demo = f.data === 'demo';
  return {
    data: f.data,
    demo: { perClass: f.demoPerClass, minSize: f.demoMinSize, maxSize: f.demoMaxSize },
    // Splits not given are resolved by the source's kind once it is opened (defaultSplits).
    splits: { train: f.trainSplit, validation: f.valSplit, test: f.testSplit },
    imageSize: f.imageSize,
    batchSize: f.batchSize,
    model: f.model,
    weights: f.weights ?? (demo && f.model === 'mini-xception' ? 'demo' : 'none'),
    epochs: f.epochs ?? (demo ? DEMO : RECIPE).epochs,
    learningRate: f.lr,
    fineTuneEpochs: f.fineTuneEpochs ?? (demo ? DEMO : RECIPE).fineTuneEpochs,
    fineTuneLearningRate: f.fineTuneLr ?? (demo ? DEMO : RECIPE).fineTuneLr,
    dropout: f.dropout,
    flip: f.flip,
    rotation: f.rotation,
    prefetch: f.prefetch,
    cache: f.cache,
    seed: f.seed,
    threads: f.threads,
    backend: f.backend,
    precision: f.precision,
    out: f.out,
    accuracyRule: f.kerasAccuracy ? 'keras' : 'logit0',
    earlyStoppingPatience: f.earlyStopping,
    featureCacheViews: f.featureCache ?? 0,
    classWeight: f.classWeight,
    tensorboard: tensorboardConfig(f),
  };
}

async function resumedConfig(runDir: string, err: NodeJS.WritableStream): Promise<TrainConfig> {
  const file = path.join(runDir, 'config.json');
  if (!existsSync(file)) usageError(err, 'xfer.resume', `--resume ${runDir}: not an xfer run directory (it has no config.json)`);
  return JSON.parse(await fs.readFile(file, 'utf8')) as TrainConfig;
}

/** What the flags' own parsers cannot see: the combination of flags, and the data source on disk. */
function checkInputs(config: TrainConfig, err: NodeJS.WritableStream): void {
  if (config.model === 'xception' && config.imageSize < XCEPTION_MIN_SIZE) {
    usageError(err, 'xfer.imageSize', `--image-size ${config.imageSize} is too small for --model xception, which takes at least ${XCEPTION_MIN_SIZE}`);
  }
  const missing = missingDataSource(config.data);
  if (missing) usageError(err, 'xfer.data', `--data ${missing}`);
}

export function trainCommand(io: { out: NodeJS.WriteStream; err: NodeJS.WriteStream }): Command {
  return new Command('train')
    .description('train an image classifier: decode through the native engine, fit with tfjs, evaluate on the test split')
    .option('--data <source>', "demo (generated on first use), cats_vs_dogs, a kagglecatsanddogs .zip, a folder holding PetImages/, or a folder of class folders", 'demo')
    .option('--demo-per-class <n>', 'images per class in the demo set', positiveInt('--demo-per-class'), 600)
    .option('--demo-min-size <px>', 'smallest side of demo images', positiveInt('--demo-min-size'), 200)
    .option('--demo-max-size <px>', 'largest side of demo images', positiveInt('--demo-max-size'), 500)
    .option('--train-split <split>', 'TFDS split string for training (default: train[:80%]; cats_vs_dogs: the recipe\'s train[:40%])')
    .option('--val-split <split>', 'TFDS split string for validation (default: train[80%:90%]; cats_vs_dogs: train[40%:50%])')
    .option('--test-split <split>', 'TFDS split string for the final test (default: train[90%:]; cats_vs_dogs: train[50%:60%])')
    .option('--image-size <px>', 'square input size', imageSide, 150)
    .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), 32)
    .addOption(new Option('--model <name>', 'the base convnet').choices(['mini-xception', 'xception']).default('mini-xception'))
    .option('--weights <w>', "base weights: none (train from scratch), imagenet (Keras' Xception file), demo (mini-xception pretrained on a separate demo set; the default on the demo), a Keras weights file (.h5 of Keras 2 or 3, .weights.h5, .keras), or an earlier run (its run directory or model/ folder: its base, and its classifier for the same classes)")
    .option('--epochs <n>', `epochs of the first phase (default: ${RECIPE.epochs}, demo ${DEMO.epochs})`, positiveInt('--epochs'))
    .option('--lr <rate>', 'Adam learning rate of the first phase', positiveNumber('--lr'), 1e-3)
    .option('--fine-tune-epochs <n>', `epochs with the base unfrozen, 0 to skip (default: ${RECIPE.fineTuneEpochs}, demo ${DEMO.fineTuneEpochs})`, nonNegativeInt('--fine-tune-epochs'))
    .option('--fine-tune-lr <rate>', `Adam learning rate of the fine-tune phase (default: ${RECIPE.fineTuneLr}, demo ${DEMO.fineTuneLr})`, positiveNumber('--fine-tune-lr'))
    .option('--dropout <rate>', 'dropout before the classifier', fraction, 0.2)
    .option('--no-flip', 'turn off random horizontal flips')
    .option('--rotation <factor>', 'Keras RandomRotation factor: angles uniform in ±factor·2π (0 turns it off)', nonNegativeNumber('--rotation'), 0.1)
    .option('--prefetch <n>', 'training batches prepared ahead by the native loader', positiveInt('--prefetch'), 10)
    .option('--cache <where>', "where the loader keeps resized training images: memory, none, or a cache file (reused by later runs)", 'memory')
    .option('--seed <n>', 'seed for shuffling and augmentation', positiveInt('--seed'), 1337)
    .option('--threads <n>', 'native decode threads (default: all cores)', positiveInt('--threads'))
    .addOption(backendOption())
    .addOption(
      new Option('--precision <policy>', "what convolutions and matmuls compute in, by Keras' policy names: mixed_bfloat16 reads bf16 and accumulates float32 (cpu backend, a CPU with AVX512-BF16 or AMX)")
        .choices([...PRECISIONS])
        .default('float32'),
    )
    .option('--out <dir>', 'where run directories are created', 'runs')
    .option('--keras-accuracy', "report accuracy as Keras' BinaryAccuracy does on logits (threshold 0.5, not 0)", false)
    .option('--class-weight <w>', "Keras class_weight: 'balanced' (n / (classes · count) from the training split) or JSON, e.g. '{\"cat\": 1, \"dog\": 2.5}'", classWeightFlag)
    .option('--feature-cache <views>', 'train the frozen phase on cached base features, with this many augmented views per image', nonNegativeInt('--feature-cache'))
    .option('--early-stopping <patience>', 'end a phase after this many epochs without a better val loss, keeping its best weights', nonNegativeInt('--early-stopping'))
    .option('--tensorboard [dir]', "write TensorBoard event files as Keras' TensorBoard callback does (default dir: logs/ in the run directory); watch with tensorboard --logdir runs/")
    .option('--tensorboard-update-freq <n>', 'also write batch loss and accuracy to TensorBoard every n batches (implies --tensorboard)', positiveInt('--tensorboard-update-freq'))
    .option('--tensorboard-histogram-freq <epochs>', 'also write weight histograms to TensorBoard every n epochs, from the first (implies --tensorboard)', positiveInt('--tensorboard-histogram-freq'))
    .option('--resume <run>', "continue a stopped run from its last checkpoint, with the run's own configuration")
    .option('-q, --quiet', 'print only the final result', false)
    .addHelpText(
      'after',
      `
Examples:
  xfer train                                   train on the generated demo set
  xfer train --epochs 2 --demo-per-class 100   a quick smoke run
  xfer train --data cats_vs_dogs --model xception --weights imagenet
                                               the Keras recipe: frozen Xception, then fine-tuning
  xfer train --data ~/photos/flowers            one subfolder of images per class: 2 classes train one
                                               logit (sigmoid), more train one logit per class (softmax);
                                               splits default to 80/10/10
  xfer train --data ~/photos/flowers --class-weight balanced
  xfer train --tensorboard                     then, while it trains: tensorboard --logdir runs/
`,
    )
    .action(async (flags: TrainFlags) => {
      const config = flags.resume ? await resumedConfig(flags.resume, io.err) : resolveTrainConfig(flags);
      checkInputs(config, io.err);
      await preflightOutput(config, flags.resume, io.err);
      const live = Boolean(io.out.isTTY) && !process.env.CI;
      const report = progressReporter({ quiet: flags.quiet, live, out: io.out, err: io.err });
      if (!flags.quiet) io.out.write(`configuration: ${JSON.stringify(config)}\n`);
      // Ctrl-C stops at the next batch; the last completed epoch is already checkpointed.
      const stop = new AbortController();
      const onSigint = () => stop.abort(new Error('SIGINT'));
      process.once('SIGINT', onSigint);
      const r = await trainRecipe(config, report, { resume: flags.resume, signal: stop.signal }).finally(() => process.off('SIGINT', onSigint));
      io.out.write(
        `test accuracy ${(r.test.accuracy * 100).toFixed(2)}% (${r.test.count} images), loss ${r.test.loss.toFixed(4)}` +
          ` - backend ${r.backend.name} - ${r.seconds.toFixed(1)}s - run ${r.runDir}\n`,
      );
    });
}
