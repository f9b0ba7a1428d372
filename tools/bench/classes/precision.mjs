#!/usr/bin/env node
// mixed_bfloat16 against float32 on real photographs: the same `xfer train` run (10 Fashion-MNIST
// classes, mini-xception from scratch, so every convolution trains forward and backward and the
// batch norms learn their statistics) once per precision and seed, the two precisions of a seed on
// the same splits, initial weights and augmentation. The test split is large (45% of the folder)
// so that a few tenths of a point show; the seeds give the runs' own spread.
//
//   node tools/bench/classes/precision.mjs [--per-class 1600] [--epochs 8] [--seeds 1,2,3]
//       [--size 32] [--out runs/classes_precision]
//
// Refuses on a CPU that cannot run mixed_bfloat16 (xfer train says why). Progress goes to stderr,
// the table to stdout; runs go to <out>/<date>/, the dataset to <out>/datasets ($XFER_CACHE_DIR/datasets).
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runStep } from '../lib/child.mjs';
import { CLASSES, fashionDataset, fashionPython } from './fashion_data.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const xferBin = path.resolve(here, '../../../packages/cli/bin/xfer.js');
const SPLITS = ['--train-split', 'train[:50%]', '--val-split', 'train[50%:55%]', '--test-split', 'train[55%:]'];

const { values: o } = parseArgs({ options: {
  'per-class': { type: 'string', default: '1600' },
  epochs: { type: 'string', default: '8' },
  seeds: { type: 'string', default: '1,2,3' },
  size: { type: 'string', default: '32' },
  out: { type: 'string', default: 'runs/classes_precision' },
} });
const seeds = o.seeds.split(',').map(Number);
const log = (line) => process.stderr.write(`precision: ${line}\n`);
const outDir = path.resolve(o.out, new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z'));
await mkdir(outDir, { recursive: true });
const dir = await fashionDataset(await fashionPython(), path.resolve(o.out, 'datasets'), CLASSES, Number(o['per-class']), log);
const args = ['train', '--data', dir, ...SPLITS, '--image-size', o.size, '--epochs', o.epochs, '--batch-size', '32', '--lr', '1e-3',
  '--model', 'mini-xception', '--weights', 'none', '--fine-tune-epochs', '0', '--quiet'];

/** One run's test accuracy and loss (as `xfer train` printed them in its summary) and its training seconds. */
async function train(seed, precision) {
  const runs = path.join(outDir, `seed${seed}-${precision}`);
  log(`xfer train --seed ${seed} --precision ${precision}`);
  const { seconds } = await runStep(process.execPath, [xferBin, ...args, '--seed', String(seed), '--precision', precision, '--out', runs], { capture: true });
  const summary = readFileSync(path.join(runs, readdirSync(runs)[0], 'summary.txt'), 'utf8');
  const m = summary.match(/^test: accuracy ([\d.]+)% \(\w+\),.*? loss ([\d.]+), (\d+) images/m);
  if (!m) throw new Error(`no test line in ${runs}'s summary.txt`);
  return { accuracy: Number(m[1]) / 100, loss: Number(m[2]), images: Number(m[3]), seconds };
}

const rows = [];
for (const seed of seeds) {
  const fp32 = await train(seed, 'float32');
  const bf16 = await train(seed, 'mixed_bfloat16');
  rows.push({ seed, fp32, bf16, diff: bf16.accuracy - fp32.accuracy });
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const diffs = rows.map((r) => r.diff);
const sd = (xs) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
};
const pts = (x) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}`;
const pct = (x) => `${(100 * x).toFixed(2)}%`;
const command = ['node', 'tools/bench/classes/precision.mjs', ...process.argv.slice(2)].join(' ');
const lines = [
  '| seed | float32 test acc | mixed_bfloat16 test acc | bf16 − fp32, points | float32 loss | bf16 loss | float32 s | bf16 s |',
  '|--:|--:|--:|--:|--:|--:|--:|--:|',
  ...rows.map((r) => `| ${r.seed} | ${pct(r.fp32.accuracy)} | ${pct(r.bf16.accuracy)} | ${pts(r.diff)} | ${r.fp32.loss.toFixed(4)} | ${r.bf16.loss.toFixed(4)} | ${r.fp32.seconds.toFixed(0)} | ${r.bf16.seconds.toFixed(0)} |`),
  `| mean | ${pct(mean(rows.map((r) => r.fp32.accuracy)))} | ${pct(mean(rows.map((r) => r.bf16.accuracy)))} | ${pts(mean(diffs))} ± ${(100 * sd(diffs) / Math.sqrt(diffs.length)).toFixed(2)} (s.e.) | | | | |`,
  '',
  `${rows[0].fp32.images} test images per run; the float32 runs' own spread across seeds: ${(100 * sd(rows.map((r) => r.fp32.accuracy))).toFixed(2)} points (s.d.).`,
  `Command: \`${command}\` (${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}). xfer: \`xfer ${args.join(' ')} --seed <seed> --precision <precision>\`.`,
  '',
];
await writeFile(path.join(outDir, 'result.json'), JSON.stringify({ command, rows }, null, 2) + '\n');
process.stdout.write(lines.join('\n'));
