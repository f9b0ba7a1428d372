#!/usr/bin/env node
// One training step (forward + backward + Adam) of the recipe's transfer model (Xception at
// 150x150, BatchNorm in inference mode, GAP, Dropout, Dense(1)) at batch 32, in the frozen and
// the fine-tune phase, from scratch (the whole model, BatchNorm on batch statistics), plus the
// frozen phase's feature extraction (the base's inference forward),
// for several engines side by side in one run, each held against Keras on TensorFlow, the
// reference. Each peer runs in its own process, one after another; figures from a busy machine
// are noisy, so compare the ratios.
//
//   node tools/bench/train_step.mjs [--peers keras,xfer,pytorch,cpu,wasm] [--batch 32] [--steps 4]
//        [--rounds 1] [--cpu-batch 2] [--wasm-batch 4] [--python PATH] [--json] [--json-out FILE]
//
// --rounds N runs the whole list of peers N times, one peer after another each round, and keeps
// for each peer and phase the round with the lowest median step: on a shared machine, other work
// slows whole minutes of a run, and the best round is the one least disturbed.
//
// --python runs the keras and pytorch peers, bf16 ones included. Its default is the reference
// venv's python (bash tools/reference/venv.sh makes it: TensorFlow 2.21, Keras 3.15, PyTorch 2.13)
// where that venv has been made, else /usr/bin/python3, whose apt python3-torch is PyTorch 1.13
// and which has no Keras. The pytorch row's label says which PyTorch ran.
//
// Peers:
//   keras    Keras 3 on TensorFlow's CPU runtime, the model built as the Keras guide builds it and
//            stepped by its compiled train function as fit runs it (train_step_keras.py)
//   xfer     tfjs cpu backend + @xfer/native-kernels (oneDNN), what the picker chooses without tfjs-node
//   pytorch  PyTorch CPU, the same architecture written in PyTorch (train_step_torch.py)
//   cpu      tfjs cpu backend without the native kernels (XFER_NATIVE_KERNELS=off): JavaScript kernels
//            plus xfer's composite conv gradients. Too slow for batch 32: measured at --cpu-batch
//            and scaled linearly to 32 (marked "extrapolated").
//   wasm     tfjs wasm backend (XNNPACK, one thread in Node) + xfer's conv gradients, at --wasm-batch, scaled.
// Mixed-precision CPU peers, not in the default list (issue 23's bf16 targets; they need a CPU with
// bf16 instructions to mean anything), run beside their float32 twins, against which the table holds
// each one's fine-tune step: --peers keras,keras-bf16,xfer,xfer-bf16,pytorch,pytorch-bf16
//   keras-bf16    the keras peer under the mixed_bfloat16 policy, set before the models are built
//   pytorch-bf16  the pytorch peer under torch.autocast('cpu', bfloat16)
//   xfer-bf16     the xfer peer with --precision mixed_bfloat16 (trainer's setPrecision), which
//                 refuses with its reason on CPUs without bf16 support
// GPU peers, not in the default list:
//   webgpu             xfer on tfjs' webgpu backend (Dawn), where it finds a GPU adapter
//   pytorch-cuda       the PyTorch model on the CUDA GPU, fp32
//   pytorch-cuda-bf16  the same under torch.autocast(bfloat16)
//
// Every peer runs with OMP_WAIT_POLICY=PASSIVE unless it is set: xfer's addon defaults to it, and
// OpenMP threads that spin between parallel regions lose badly on a shared 2-core machine (PyTorch
// measured 2.4x slower with spinning threads here), so every OpenMP user gets the same policy.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { referencePython } from './lib/args.mjs';
import { median } from './lib/row.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: {
  peers: { type: 'string', default: 'keras,xfer,pytorch,cpu,wasm' }, batch: { type: 'string', default: '32' },
  steps: { type: 'string', default: '4' }, 'cpu-batch': { type: 'string', default: '2' }, 'wasm-batch': { type: 'string', default: '4' },
  python: { type: 'string', default: referencePython() ?? '/usr/bin/python3' }, json: { type: 'boolean', default: false },
  'json-out': { type: 'string' }, rounds: { type: 'string', default: '1' },
} });
const batch = Number(values.batch);
const steps = values.steps;

const kerasCmd = (...more) => () => [values.python, [path.join(here, 'train_step_keras.py'), '--threads', String(cpus().length), ...more]];
const torchCmd = (...more) => () => [values.python, [path.join(here, 'train_step_torch.py'), '--threads', String(cpus().length), ...more]];
/** `twin` and `precision`: a mixed-precision peer's float32 twin, and what it changed, for the table's bf16 lines. */
const PEERS = {
  keras: { label: 'Keras on TensorFlow, CPU', batch, env: { KERAS_BACKEND: 'tensorflow' }, cmd: kerasCmd() },
  xfer: { label: 'xfer: tfjs cpu + native kernels (oneDNN)', batch, kernels: true, cmd: () => ['node', [path.join(here, 'train_step_worker.mjs'), '--backend', 'cpu']] },
  pytorch: { label: 'PyTorch CPU', batch, cmd: torchCmd() },
  'keras-bf16': { label: 'Keras on TensorFlow, CPU, mixed_bfloat16', batch, env: { KERAS_BACKEND: 'tensorflow' }, twin: 'keras', precision: 'mixed_bfloat16', cmd: kerasCmd('--policy', 'mixed_bfloat16') },
  'xfer-bf16': { label: 'xfer: tfjs cpu + native kernels (oneDNN), mixed_bfloat16', batch, twin: 'xfer', precision: 'mixed_bfloat16', cmd: () => ['node', [path.join(here, 'train_step_worker.mjs'), '--backend', 'cpu', '--precision', 'mixed_bfloat16']] },
  'pytorch-bf16': { label: 'PyTorch CPU autocast bf16', batch, twin: 'pytorch', precision: 'autocast bf16', cmd: torchCmd('--autocast', 'bf16') },
  webgpu: { label: 'xfer: tfjs webgpu (Dawn)', batch, cmd: () => ['node', [path.join(here, 'train_step_worker.mjs'), '--backend', 'webgpu']] },
  'pytorch-cuda': { label: 'PyTorch CUDA fp32', batch, cmd: () => [values.python, [path.join(here, 'train_step_torch.py'), '--device', 'cuda']] },
  'pytorch-cuda-bf16': { label: 'PyTorch CUDA autocast bf16', batch, cmd: () => [values.python, [path.join(here, 'train_step_torch.py'), '--device', 'cuda', '--autocast', 'bf16']] },
  cpu: { label: 'tfjs cpu, JS kernels (+ xfer conv gradients)', batch: Number(values['cpu-batch']), env: { XFER_NATIVE_KERNELS: 'off' }, cmd: () => ['node', [path.join(here, 'train_step_worker.mjs'), '--backend', 'cpu']] },
  wasm: { label: 'tfjs wasm (XNNPACK, 1 thread) + xfer conv gradients', batch: Number(values['wasm-batch']), cmd: () => ['node', [path.join(here, 'train_step_worker.mjs'), '--backend', 'wasm']] },
};

function runPeer(name) {
  const p = PEERS[name];
  const [cmd, args] = p.cmd();
  const all = [...args, '--batch', String(p.batch), '--steps', steps, ...(p.kernels ? ['--kernels'] : [])];
  const t0 = performance.now();
  try {
    const env = { OMP_WAIT_POLICY: 'PASSIVE', ...process.env, ...p.env };
    const out = execFileSync(cmd, all, { env, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    const r = JSON.parse(out.trim().split('\n').at(-1));
    return { name, label: p.label, ...r, wallS: (performance.now() - t0) / 1000 };
  } catch (e) {
    const msg = (e.stderr || e.message || String(e)).trim().split('\n').filter(Boolean).at(-1);
    return { name, label: p.label, error: msg };
  }
}

/** Seconds per batch of `batch` images, scaled linearly from the measured batch. */
const perBatch = (r, phase) => (r.phases?.[phase] ? (median(r.phases[phase].ms) / 1000) * (batch / r.batch) : undefined);

/**
 * One peer's rounds as one result: each phase from the round whose median step was lowest; the
 * first error where no round ran.
 */
function bestRound(runs) {
  const ok = runs.filter((r) => !r.error);
  if (ok.length === 0) return runs[0];
  const phases = {};
  const roundMedians = {};
  for (const phase of new Set(ok.flatMap((r) => Object.keys(r.phases)))) {
    const ran = ok.filter((r) => r.phases[phase]);
    phases[phase] = ran.reduce((a, b) => (median(b.phases[phase].ms) < median(a.phases[phase].ms) ? b : a)).phases[phase];
    roundMedians[phase] = ran.map((r) => median(r.phases[phase].ms));
  }
  return { ...ok[0], phases, roundMedians };
}

const names = values.peers.split(',');
const rounds = Number(values.rounds);
const runs = new Map(names.map((name) => [name, []]));
for (let round = 1; round <= rounds; round++) {
  for (const name of names) {
    process.stderr.write(`running ${name}${rounds > 1 ? ` (round ${round} of ${rounds})` : ''}...\n`);
    runs.get(name).push(runPeer(name));
  }
}
const results = names.map((name) => bestRound(runs.get(name)));

const keras = results.find((r) => r.name === 'keras' && !r.error);
const xfer = results.find((r) => r.name === 'xfer' && !r.error);
const fmt = (v, d = 2) => (v === undefined ? '–' : v.toFixed(d));
const PHASES = ['frozen', 'finetune', 'scratch', 'inference'];
/** Speed relative to Keras: Keras' seconds per batch / this engine's (above 1 = faster than Keras). */
const vsKeras = (r, phase) => {
  const k = keras && perBatch(keras, phase);
  const t = perBatch(r, phase);
  return k && t ? `${fmt(k / t)}x` : '–';
};
const lines = [];
lines.push(`Xception transfer model, 150x150, batch ${batch}, ${cpus().length} cores (${cpus()[0]?.model}), ${new Date().toISOString().slice(0, 10)}${rounds > 1 ? `, best of ${rounds} rounds` : ''}`);
lines.push('');
lines.push('| engine | measured at batch | frozen step s | frozen img/s | fine-tune step s | fine-tune img/s | from-scratch step s | from-scratch img/s | inference img/s | vs Keras frozen | vs Keras fine-tune | vs Keras from scratch | vs Keras inference |');
lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
for (const r of results) {
  if (r.error) {
    lines.push(`| ${r.label} | – | error: ${r.error} | | | | | | | | | | |`);
    continue;
  }
  const [f, t, s, i] = PHASES.map((p) => perBatch(r, p));
  const scaled = r.batch !== batch ? ` (extrapolated from ${r.batch})` : '';
  lines.push(`| ${r.label} | ${r.batch}${scaled} | ${fmt(f)} | ${fmt(f && batch / f, 1)} | ${fmt(t)} | ${fmt(t && batch / t, 1)} | ${fmt(s)} | ${fmt(s && batch / s, 1)} | ${fmt(i && batch / i, 1)} | ${PHASES.map((p) => vsKeras(r, p)).join(' | ')} |`);
}
lines.push('');
lines.push('vs Keras: Keras\' time per batch ÷ the engine\'s (above 1 = faster than Keras on TensorFlow, the reference). From scratch: the whole model trains with the base\'s BatchNorm on batch statistics (moving averages updated).');
for (const r of results.filter((r) => !r.error && perBatch(r, 'scratch') && perBatch(r, 'finetune'))) {
  lines.push(`- ${r.label}: a from-scratch step costs ${fmt(perBatch(r, 'scratch') / perBatch(r, 'finetune'))}x its fine-tune step`);
}
for (const r of results.filter((r) => !r.error && PEERS[r.name].twin)) {
  const { twin, precision } = PEERS[r.name];
  const fp32 = results.find((t) => t.name === twin && !t.error);
  const [b, f] = [perBatch(r, 'finetune'), fp32 && perBatch(fp32, 'finetune')];
  if (b && f) lines.push(`- ${twin} ${precision} fine-tune: ${fmt(f / b)}x ${twin} float32`);
}
for (const r of results.filter((r) => !r.error)) lines.push(`- ${r.label}: ${r.reason}`);

if (xfer) {
  for (const phase of ['finetune', 'scratch', 'frozen', 'inference']) {
    const b = xfer.phases[phase]?.breakdown;
    if (!b) continue;
    const nativeMs = b.kernels.filter((k) => k.native).reduce((s, k) => s + k.ms, 0);
    const kernelMs = b.kernels.reduce((s, k) => s + k.ms, 0);
    lines.push('');
    lines.push(`xfer ${phase} step, time per kernel (one step, ${fmt(b.totalMs / 1000)} s wall): native ${fmt(nativeMs / 1000)} s, JavaScript kernels ${fmt((kernelMs - nativeMs) / 1000)} s, outside kernels (autodiff, layers, GC) ${fmt((b.totalMs - kernelMs) / 1000)} s`);
    lines.push('| kernel | calls | s | share | runs in |');
    lines.push('|---|--:|--:|--:|---|');
    for (const k of b.kernels.filter((k) => k.ms >= 0.005 * b.totalMs)) {
      lines.push(`| ${k.kernel} | ${k.calls} | ${fmt(k.ms / 1000)} | ${fmt((100 * k.ms) / b.totalMs, 1)}% | ${k.native ? 'native' : 'JS'} |`);
    }
  }
}

/**
 * The recipe: 9305 train / 2326 val / 2326 test images; 20 frozen epochs, 10 fine-tune epochs,
 * validation every epoch, one test evaluation.
 */
function recipeLine(r, how) {
  const stepsPerEpoch = Math.ceil(9305 / batch);
  const evalS = (2326 / batch) * perBatch(r, 'inference');
  const frozenS = 20 * (stepsPerEpoch * perBatch(r, 'frozen') + evalS);
  const fineS = 10 * (stepsPerEpoch * perBatch(r, 'finetune') + evalS);
  return `Full recipe extrapolated from these steps (${how}, validation each epoch, test once): frozen ${fmt(frozenS / 3600)} h + fine-tune ${fmt(fineS / 3600)} h + test ${fmt(evalS / 60, 1)} min = ${fmt((frozenS + fineS + evalS) / 3600)} h`;
}
if (keras || xfer) lines.push('');
if (keras) lines.push(recipeLine(keras, 'Keras, fit'));
if (xfer) lines.push(recipeLine(xfer, 'xfer, plain loop'));
console.log(values.json ? JSON.stringify(results, null, 2) : lines.join('\n'));
if (values['json-out']) writeFileSync(values['json-out'], `${JSON.stringify(results, null, 2)}\n`);
