import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKEND_ORDER, trainRecipe, type BackendName, type TrainConfig } from '@xfer/trainer';
import { progressReporter } from '../progress.js';

/** Split strings for a data source when none are given: the recipe's 40/10/10 for real data. */
const RECIPE_SPLITS = { train: 'train[:40%]', validation: 'train[40%:50%]', test: 'train[50%:60%]' };
/** The demo set is small, so it uses all of it. */
const DEMO_SPLITS = { train: 'train[:80%]', validation: 'train[80%:90%]', test: 'train[90%:]' };
/** Epochs of the recipe, and of the demo, sized to finish in minutes on two cores. */
const RECIPE_EPOCHS = 20;
const DEMO_EPOCHS = 4;

export function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got '${v}'`);
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
  epochs?: number;
  lr: number;
  dropout: number;
  flip: boolean;
  seed: number;
  threads?: number;
  backend?: BackendName;
  out: string;
  kerasAccuracy: boolean;
  quiet: boolean;
}

/** Turns flags into the trainer's configuration, filling per-source defaults. */
export function resolveTrainConfig(f: TrainFlags): TrainConfig {
  const demo = f.data === 'demo';
  const splits = demo ? DEMO_SPLITS : RECIPE_SPLITS;
  return {
    data: f.data,
    demo: { perClass: f.demoPerClass, minSize: f.demoMinSize, maxSize: f.demoMaxSize },
    splits: { train: f.trainSplit ?? splits.train, validation: f.valSplit ?? splits.validation, test: f.testSplit ?? splits.test },
    imageSize: f.imageSize,
    batchSize: f.batchSize,
    model: 'mini-xception',
    epochs: f.epochs ?? (demo ? DEMO_EPOCHS : RECIPE_EPOCHS),
    learningRate: f.lr,
    dropout: f.dropout,
    flip: f.flip,
    seed: f.seed,
    threads: f.threads,
    backend: f.backend,
    out: f.out,
    accuracyRule: f.kerasAccuracy ? 'keras' : 'logit0',
  };
}

export function trainCommand(io: { out: NodeJS.WriteStream; err: NodeJS.WriteStream }): Command {
  return new Command('train')
    .description('train an image classifier: decode through the native engine, fit with tfjs, evaluate on the test split')
    .option('--data <source>', "demo (generated on first use), cats_vs_dogs, a kagglecatsanddogs .zip, a folder holding PetImages/, or a folder of class folders", 'demo')
    .option('--demo-per-class <n>', 'images per class in the demo set', positiveInt('--demo-per-class'), 600)
    .option('--demo-min-size <px>', 'smallest side of demo images', positiveInt('--demo-min-size'), 200)
    .option('--demo-max-size <px>', 'largest side of demo images', positiveInt('--demo-max-size'), 500)
    .option('--train-split <split>', 'TFDS split string for training (default: train[:40%], demo train[:80%])')
    .option('--val-split <split>', 'TFDS split string for validation (default: train[40%:50%], demo train[80%:90%])')
    .option('--test-split <split>', 'TFDS split string for the final test (default: train[50%:60%], demo train[90%:])')
    .option('--image-size <px>', 'square input size', positiveInt('--image-size'), 150)
    .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), 32)
    .option('--epochs <n>', `epochs (default: ${RECIPE_EPOCHS}, demo ${DEMO_EPOCHS})`, positiveInt('--epochs'))
    .option('--lr <rate>', 'Adam learning rate', positiveNumber('--lr'), 1e-3)
    .option('--dropout <rate>', 'dropout before the classifier', fraction, 0.2)
    .option('--no-flip', 'turn off random horizontal flips')
    .option('--seed <n>', 'seed for shuffling and augmentation', positiveInt('--seed'), 1337)
    .option('--threads <n>', 'native decode threads (default: all cores)', positiveInt('--threads'))
    .addOption(new Option('--backend <name>', 'tfjs backend (default: the fastest that loads)').choices([...BACKEND_ORDER]))
    .option('--out <dir>', 'where run directories are created', 'runs')
    .option('--keras-accuracy', "report accuracy as Keras' BinaryAccuracy does on logits (threshold 0.5, not 0)", false)
    .option('-q, --quiet', 'print only the final result', false)
    .addHelpText(
      'after',
      `
Examples:
  xfer train                                   train on the generated demo set
  xfer train --epochs 2 --demo-per-class 100   a quick smoke run
  xfer train --data cats_vs_dogs               the Microsoft archive, found in the data folders
  xfer train --data ~/photos/flowers            one subfolder of images per class
`,
    )
    .action(async (flags: TrainFlags) => {
      const config = resolveTrainConfig(flags);
      const live = Boolean(io.out.isTTY) && !process.env.CI;
      const report = progressReporter({ quiet: flags.quiet, live, out: io.out, err: io.err });
      if (!flags.quiet) io.out.write(`configuration: ${JSON.stringify(config)}\n`);
      const r = await trainRecipe(config, report);
      io.out.write(
        `test accuracy ${(r.test.accuracy * 100).toFixed(2)}% (${r.test.count} images), loss ${r.test.loss.toFixed(4)}` +
          ` - backend ${r.backend.name} - ${r.seconds.toFixed(1)}s - run ${r.runDir}\n`,
      );
    });
}
