#!/usr/bin/env node
// The transfer-learning recipe trained twice on the same files, splits, epochs and seed: once in
// Keras (keras_recipe.py, the reference venv) and once with `xfer train`, one process after the
// other, then one table of accuracy and wall time. Data: two Fashion-MNIST classes written as
// folder-per-class PNGs; base: Xception pretrained in Keras on the other eight classes. Both are
// made once and cached, and their time is reported apart from the runs'.
//
//   node tools/bench/recipe_parity/run.mjs [--size 71] [--epochs 4] [--fine-tune-epochs 2]
//       [--classes shirt,t_shirt_top] [--seed 1337] [--train-split "train[:2000]"]
//       [--val-split "train[2000:2500]"] [--test-split "train[2500:3500]"]
//       [--pretrain-per-class 300] [--pretrain-epochs 2] [--out runs/recipe_parity] [--json]
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runStep } from '../lib/child.mjs';
import { openDataset, sliceSplit, sourceName } from '@xfer/trainer';
import { formatReport, phaseTotals } from './report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const xferBin = path.join(root, 'packages/cli/bin/xfer.js');
// Fixed, as ImageNet weights are: another --seed reruns the recipe, not the pretraining.
const PRETRAIN_SEED = 1337;

const { values: o } = parseArgs({ options: {
  size: { type: 'string', default: '71' },
  epochs: { type: 'string', default: '4' },
  'fine-tune-epochs': { type: 'string', default: '2' },
  classes: { type: 'string', default: 'shirt,t_shirt_top' },
  seed: { type: 'string', default: '1337' },
  'train-split': { type: 'string', default: 'train[:2000]' },
  'val-split': { type: 'string', default: 'train[2000:2500]' },
  'test-split': { type: 'string', default: 'train[2500:3500]' },
  'pretrain-per-class': { type: 'string', default: '300' },
  'pretrain-epochs': { type: 'string', default: '2' },
  out: { type: 'string', default: 'runs/recipe_parity' },
  json: { type: 'boolean', default: false },
} });
const classes = o.classes.split(',');
if (classes.length !== 2) throw new Error(`--classes takes two class names (xfer's head is binary), got ${o.classes}`);
const cacheDir = process.env.XFER_CACHE_DIR ?? path.join(os.homedir(), '.cache/xfer');
const log = (line) => process.stderr.write(`recipe_parity: ${line}\n`);

const python = (await runStep('bash', [path.join(root, 'tools/reference/venv.sh')], { capture: true })).stdout.trim();
const pythonEnv = { ...process.env, KERAS_BACKEND: 'tensorflow', TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' };
const py = (script, args, capture = false) => runStep(python, [path.join(here, script), ...args], { env: pythonEnv, capture });

const dataDir = path.join(cacheDir, 'datasets', `fashion_mnist_${[...classes].sort().join('-')}`);
log(`data: ${dataDir}`);
const preparation = await py('fashion_mnist.py', ['--classes', classes.join(','), '--out', dataDir], true);
const dataMade = preparation.stdout.startsWith('wrote');

const weights = path.join(cacheDir, 'weights',
  `xception-fashion_mnist-without-${[...classes].sort().join('-')}-${o.size}px-${o['pretrain-per-class']}x${o['pretrain-epochs']}e-s${PRETRAIN_SEED}.h5`);
const pretrainMade = !existsSync(`${weights}.json`);
if (pretrainMade) {
  log(`pretraining the base (once): ${weights}`);
  await mkdir(path.dirname(weights), { recursive: true });
  await py('pretrain_base.py', ['--exclude', classes.join(','), '--size', o.size, '--per-class', o['pretrain-per-class'],
    '--epochs', o['pretrain-epochs'], '--seed', String(PRETRAIN_SEED), '--out', weights]);
}
const pretraining = JSON.parse(await readFile(`${weights}.json`, 'utf8'));

const outDir = path.resolve(o.out, new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z'));
await mkdir(outDir, { recursive: true });
// The lists come from the code `xfer train` itself runs, with the run's seed: `xfer data split`
// has no --seed and always shuffles a folder with 1337.
const opened = await openDataset(dataDir, { folder: { seed: Number(o.seed) } });
const splitStrings = { train: o['train-split'], validation: o['val-split'], test: o['test-split'] };
const splits = { classNames: opened.classNames };
for (const [name, split] of Object.entries(splitStrings)) {
  splits[name] = sliceSplit(opened.examples, split).map(({ source, label }) => ({ source: sourceName(source), label }));
}
const splitsFile = path.join(outDir, 'splits.json');
await writeFile(splitsFile, JSON.stringify(splits));

const kerasArgs = ['--splits', splitsFile, '--weights', weights, '--size', o.size, '--epochs', o.epochs,
  '--fine-tune-epochs', o['fine-tune-epochs'], '--seed', o.seed, '--out', path.join(outDir, 'keras.json')];
log('Keras');
const kerasRun = await py('keras_recipe.py', kerasArgs);
const keras = JSON.parse(await readFile(path.join(outDir, 'keras.json'), 'utf8'));

const xferRuns = path.join(outDir, 'xfer-runs');
const xferArgs = ['train', '--data', dataDir, '--model', 'xception', '--weights', weights, '--image-size', o.size,
  '--batch-size', '32', '--epochs', o.epochs, '--fine-tune-epochs', o['fine-tune-epochs'], '--lr', '1e-3',
  '--fine-tune-lr', '1e-5', '--train-split', splitStrings.train, '--val-split', splitStrings.validation,
  '--test-split', splitStrings.test, '--seed', o.seed, '--keras-accuracy', '--out', xferRuns];
log('xfer');
const xferRun = await runStep(process.execPath, [xferBin, ...xferArgs]);
const runDir = path.join(xferRuns, readdirSync(xferRuns)[0]);
const history = readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
// `xfer train` prints its test result only as text; its evaluate gives the same numbers as JSON.
const test = JSON.parse((await runStep(process.execPath, [xferBin, 'evaluate', runDir, '--json'], { capture: true })).stdout);
const backendLine = readFileSync(path.join(runDir, 'summary.txt'), 'utf8').match(/^backend: (.*)$/m)?.[1];
const packageVersion = (p) => JSON.parse(readFileSync(path.join(root, p, 'package.json'), 'utf8')).version;

const frameworks = [
  {
    framework: 'Keras', version: `Keras ${keras.keras}, TensorFlow ${keras.tensorflow}`,
    backend: `${keras.backend} (${keras.devices.join(', ')})`, trainableParams: keras.trainableParams, batchNorm: keras.batchNorm,
    counts: keras.counts, history: keras.history, test: keras.test, seconds: kerasRun.seconds,
    command: [python, path.join(here, 'keras_recipe.py'), ...kerasArgs].join(' '),
  },
  {
    framework: 'xfer', version: `xfer ${packageVersion('packages/cli')}, tfjs ${packageVersion('node_modules/@tensorflow/tfjs-core')}`,
    backend: test.backend, backendDetail: backendLine, runDir,
    counts: Object.fromEntries(Object.entries(splits).filter(([k]) => k !== 'classNames').map(([k, v]) => [k, v.length])),
    history, test: { accuracy: test.accuracy, loss: test.loss, count: test.count }, seconds: xferRun.seconds,
    command: ['xfer', ...xferArgs].join(' '),
  },
].map((f) => ({ ...f, phases: phaseTotals(f.history, f.counts.train) }));

const result = {
  command: ['node', 'tools/bench/recipe_parity/run.mjs', ...process.argv.slice(2)].join(' '),
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.release()}`,
  data: { folder: dataDir, classes: opened.classNames, splits: splitStrings, madeNow: dataMade, seconds: preparation.seconds },
  pretraining: { weights, madeNow: pretrainMade, ...pretraining },
  recipe: { size: Number(o.size), batchSize: 32, epochs: Number(o.epochs), fineTuneEpochs: Number(o['fine-tune-epochs']), seed: Number(o.seed) },
  frameworks,
};
await writeFile(path.join(outDir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
log(`result: ${path.join(outDir, 'result.json')}`);
process.stdout.write(o.json ? JSON.stringify(result, null, 2) + '\n' : formatReport(result));
