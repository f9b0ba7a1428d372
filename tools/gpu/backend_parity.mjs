#!/usr/bin/env node
// Training on one tfjs backend against another (by default webgpu against cpu, the GPU check's
// row): the demo base (mini-xception) with the transfer head at 64x64, every weight trainable,
// from the same weights and batch, three KerasAdam steps on each. Prints one markdown table row
// (the header with --header); --json-out writes the figures as JSON.
//
//   node tools/gpu/backend_parity.mjs [--backend webgpu] [--reference cpu] [--header] [--json-out FILE]
//
// Held to: each step's loss within 1e-4, the last step's gradients within 1e-3 of their largest
// magnitude, and the weights after three steps within 0.02·lr (Adam divides by √v, so a gradient
// near zero that differs in its last bits can move its weight by a visible share of lr).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { KerasAdam, miniXception, pickBackend, transferModel } from '@xfer/trainer';

const { values: o } = parseArgs({ options: {
  backend: { type: 'string', default: 'webgpu' }, reference: { type: 'string', default: 'cpu' },
  header: { type: 'boolean', default: false }, 'json-out': { type: 'string' },
} });
const SIZE = 64;
const BATCH = 8;
const STEPS = 3;
const LR = 1e-3;
const BOUNDS = { loss: 1e-4, gradient: 1e-3, weightPerLr: 0.02 };

const pixels = Float32Array.from({ length: BATCH * SIZE * SIZE * 3 }, (_, i) => 127.5 + 127 * Math.sin(0.37 * i + Math.cos(0.011 * i)));
const labels = Float32Array.from({ length: BATCH }, (_, i) => i % 2);

/** Three steps on `backend` from `start` (or from the seeded initial weights); everything read back. */
async function train(backend, start) {
  const choice = await pickBackend(backend);
  const model = transferModel(miniXception({ inputShape: [SIZE, SIZE, 3], seed: 7 }), { seed: 7, dropout: 0 });
  if (start) model.setWeights(start.map((w) => tf.tensor(w.data, w.shape)));
  const initial = await Promise.all(model.getWeights().map(async (w) => ({ data: await w.data(), shape: w.shape })));
  const vars = model.trainableWeights.map((w) => w.read());
  const x = tf.tensor4d(pixels, [BATCH, SIZE, SIZE, 3]);
  const y = tf.tensor2d(labels, [BATCH, 1]);
  const optimizer = new KerasAdam(LR);
  const losses = [];
  let grads = [];
  for (let step = 0; step < STEPS; step++) {
    const { value, grads: g } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true })), vars);
    if (step === STEPS - 1) grads = await Promise.all(vars.map((v) => g[v.name].data()));
    optimizer.applyGradients(g);
    losses.push((await value.data())[0]);
    tf.dispose([value, ...Object.values(g)]);
  }
  const weights = await Promise.all(vars.map((v) => v.data()));
  return { backend: choice.name, reason: choice.reason, initial, losses, grads, weights };
}

function maxDiff(a, b) {
  let diff = 0;
  let scale = 0;
  a.forEach((arr, i) => arr.forEach((v, j) => {
    diff = Math.max(diff, Math.abs(v - b[i][j]));
    scale = Math.max(scale, Math.abs(b[i][j]));
  }));
  return { diff, scale };
}

const header = '| backend | against | loss per step (backend / reference) | max Δloss | max Δgradient / max gradient | max Δweight / lr | within bounds |';
if (o.header) console.log(`${header}\n|---|---|---|--:|--:|--:|---|`);
let row;
let figures;
try {
  const reference = await train(o.reference);
  const other = await train(o.backend, reference.initial);
  const lossDiff = Math.max(...other.losses.map((l, i) => Math.abs(l - reference.losses[i])));
  const g = maxDiff(other.grads, reference.grads);
  const w = maxDiff(other.weights, reference.weights);
  figures = { lossDiff, gradientRel: g.diff / g.scale, weightPerLr: w.diff / LR, reference: reference.reason, backend: other.reason };
  const ok = lossDiff <= BOUNDS.loss && figures.gradientRel <= BOUNDS.gradient && figures.weightPerLr <= BOUNDS.weightPerLr;
  const losses = other.losses.map((l, i) => `${l.toFixed(5)} / ${reference.losses[i].toFixed(5)}`).join(', ');
  row = `| ${other.reason} | ${o.reference} | ${losses} | ${lossDiff.toExponential(1)} | ${figures.gradientRel.toExponential(1)} | ${figures.weightPerLr.toExponential(1)} | ${ok ? 'yes' : `**no** (bounds ${BOUNDS.loss}, ${BOUNDS.gradient}, ${BOUNDS.weightPerLr}·lr)`} |`;
} catch (e) {
  row = `| ${o.backend} | ${o.reference} | not run: ${e.message.replace(/\n\s*/g, ' ')} | | | | |`;
  process.exitCode = 1;
}
console.log(row);
if (o['json-out']) writeFileSync(o['json-out'], `${JSON.stringify({ backend: o.backend, reference: o.reference, bounds: BOUNDS, ...figures, row }, null, 2)}\n`);
