#!/usr/bin/env node
// Soak test of training (a script, not a unit test): the recipe's loop on the demo set for many
// epochs (the mini base trained whole, the Loader feeding it), reporting RSS and tfjs' tensor count
// after each epoch. Passes when no epoch leaves a tensor behind and RSS stays within 5% of its
// epoch-2 value.
//
//   node tools/soak/train.mjs [--epochs 15] [--per-class 100] [--backend cpu|wasm|...]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { trainRecipe } from '@xfer/trainer';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '15' }, 'per-class': { type: 'string', default: '100' }, backend: { type: 'string' } } });
const epochs = Number(values.epochs);
const out = await mkdtemp(path.join(os.tmpdir(), 'xfer-soak-train-'));
const rows = [];
try {
  const result = await trainRecipe({
    data: 'demo', demo: { perClass: Number(values['per-class']) },
    splits: { train: 'train[:80%]', validation: 'train[80%:90%]', test: 'train[90%:]' },
    imageSize: 150, batchSize: 32, model: 'mini-xception', weights: 'none',
    epochs, learningRate: 1e-3, fineTuneEpochs: 0, fineTuneLearningRate: 1e-4,
    dropout: 0.2, flip: true, rotation: 0.1, seed: 1, out, accuracyRule: 'logit0',
    backend: /** @type {any} */ (values.backend),
  }, {
    onEpochEnd(logs) {
      rows.push({ epoch: logs.epoch, rssMiB: process.memoryUsage().rss / 2 ** 20, tensors: tf.memory().numTensors, imagesPerSec: logs.imagesPerSec });
    },
  });
  for (const r of rows) console.log(`epoch ${String(r.epoch).padStart(3)}  rss ${r.rssMiB.toFixed(1)} MiB  tensors ${r.tensors}  ${r.imagesPerSec.toFixed(1)} img/s`);
  const base = rows[1];
  const worst = rows.slice(1).reduce((m, r) => Math.max(m, r.rssMiB / base.rssMiB - 1), 0);
  const tensorCounts = new Set(rows.map((r) => r.tensors));
  console.log(`backend ${result.backend.name}; ${epochs} epochs; RSS growth after epoch 2: max ${(worst * 100).toFixed(2)}% (limit 5%); tensor counts seen: ${[...tensorCounts].join(', ')}`);
  const ok = worst < 0.05 && tensorCounts.size === 1;
  console.log(ok ? 'soak: pass' : 'soak: FAIL');
  process.exitCode = ok ? 0 : 1;
} finally {
  await rm(out, { recursive: true, force: true });
}
