#!/usr/bin/env node
// One peer of tools/bench/train_step.mjs, in its own process so each backend starts fresh: times
// training steps (forward + backward + Adam) of the transfer model on Xception, in the frozen and
// the fine-tune phase, and the frozen phase's feature extraction (the base's inference forward).
// Prints one JSON object on stdout.
//
//   node tools/bench/train_step_worker.mjs --backend cpu|wasm|webgpu [--batch 32] [--size 150] [--steps 2]
//        [--phases frozen,finetune,scratch,inference] [--kernels] [--precision mixed_bfloat16]
// scratch trains the whole model with the base's BatchNorm in training mode (batch statistics and
// moving-average updates), as `xfer train --weights none` does.
// XFER_NATIVE_KERNELS=off turns the native kernels off (the stock cpu peer).
// --precision goes to the trainer's setPrecision. Where the CPU or the backend cannot run it, the
// peer fails with setPrecision's reason rather than timing fp32 under a bf16 label.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { KerasAdam, pickBackend, runFrozenBaseNatively, setPrecision, transferModel, xception } from '@xfer/trainer';

const { values } = parseArgs({ options: {
  backend: { type: 'string', default: 'cpu' }, batch: { type: 'string', default: '32' }, size: { type: 'string', default: '150' },
  steps: { type: 'string', default: '2' }, phases: { type: 'string', default: 'frozen,finetune,scratch,inference' }, kernels: { type: 'boolean', default: false },
  precision: { type: 'string' },
} });
const batch = Number(values.batch);
const size = Number(values.size);
const steps = Number(values.steps);
const phases = values.phases.split(',');

/** One line for the table: why this peer cannot run here. */
function refuse(e) {
  process.stderr.write(`${e.message.replace(/\n\s*/g, ' ')}\n`);
  process.exit(1);
}
const choice = await pickBackend(values.backend).catch(refuse);
if (values.precision) await setPrecision(values.precision).catch(refuse);
const base = xception({ inputShape: [size, size, 3] });
const model = transferModel(base);
// As xfer train does: the frozen base (frozen phase, feature extraction) runs as one native graph where it can.
const frozenBase = await runFrozenBaseNatively(base);
const x = tf.randomUniform([batch, size, size, 3], 0, 255, 'float32', 1);
const y = tf.cast(tf.greater(tf.randomUniform([batch, 1], 0, 1, 'float32', 2), 0.5), 'float32');

/**
 * One training step as xfer's fit runs it: autodiff of sigmoid cross-entropy, then Adam. The loss
 * is read back asynchronously, as fit reads it (webgpu has no synchronous read in Node), which also
 * waits for the step's work on a GPU.
 */
async function trainStep(net, optimizer, vars) {
  const { value, grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(y, net.apply(x, { training: true })), vars);
  optimizer.applyGradients(grads);
  await value.data();
  tf.dispose([value, ...Object.values(grads)]);
}

async function extractFeatures() {
  base.trainable = false; // the frozen phase's feature cache
  const features = tf.tidy(() => base.apply(tf.sub(tf.div(x, 127.5), 1), { training: false }));
  await features.data();
  features.dispose();
}

/** Runs `fn` once untimed (primitive creation, JIT, allocation), then `steps` timed; returns the times in ms. */
async function time(fn) {
  await fn();
  const ms = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms;
}

async function kernelBreakdown(fn) {
  if (!values.kernels) return undefined;
  const { timeKernels } = await import('@xfer/native-kernels');
  const timer = timeKernels(choice.tfName);
  const t0 = performance.now();
  await fn();
  const total = performance.now() - t0;
  const kernels = timer.report();
  timer.stop();
  return { totalMs: total, kernels };
}

const result = { backend: choice.name, reason: `${choice.reason}; frozen base: ${frozenBase}`, batch, size, steps, phases: {} };
for (const phase of phases) {
  if (phase === 'inference') {
    result.phases.inference = { ms: await time(extractFeatures), breakdown: await kernelBreakdown(extractFeatures) };
    continue;
  }
  base.trainable = phase === 'finetune';
  const net = phase === 'scratch' ? transferModel(xception({ inputShape: [size, size, 3] }), { baseBatchNorm: 'batch' }) : model;
  const optimizer = new KerasAdam(phase === 'finetune' ? 1e-5 : 1e-3);
  const vars = net.trainableWeights.map((w) => w.read());
  const step = () => trainStep(net, optimizer, vars);
  result.phases[phase] = { ms: await time(step), breakdown: await kernelBreakdown(step) };
  optimizer.dispose();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
