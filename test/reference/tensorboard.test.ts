/**
 * `xfer train --tensorboard` read back by TensorBoard's own EventAccumulator: every file loads,
 * also one a SIGKILL cut short; each epoch scalar is the value in metrics.jsonl, under Keras'
 * tags and steps; the sample and augmentation grids and the confusion matrix decode at their
 * sizes; weight histograms come at Keras' tags every second epoch; and `--resume` adds new files
 * whose steps continue the killed run's.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { missing, python, root, runReference } from './python.js';

const xfer = path.join(root, 'packages/cli/bin/xfer.js');
const skipReason = missing || (existsSync(xfer) ? '' : `${xfer} is missing (build the CLI: npx tsc -b packages/cli)`);
const suite = python && !skipReason ? describe : describe.skip;

/** The demo trained from scratch: phases 'train' (3 epochs, lr 1e-3) and 'fine-tune' (1, 1e-4). */
const TRAIN = ['train', '--demo-per-class', '16', '--image-size', '64', '--weights', 'none', '--epochs', '3', '--fine-tune-epochs', '1',
  '--batch-size', '4', '--tensorboard', '--tensorboard-update-freq', '2', '--tensorboard-histogram-freq', '2', '-q'];
const LEARNING_RATE: Record<string, number> = { train: 1e-3, 'fine-tune': 1e-4 };

interface Logs {
  files: Record<string, string[]>;
  scalars: Record<string, [number, number][]>;
  tensors: string[];
  images: Record<string, { step: number; width: number; height: number; decoded: [number, number] }[]>;
  histograms: Record<string, { step: number; min: number; max: number; num: number; counted: number; buckets: number }[]>;
}
interface EpochLine { phase: string; loss: number; accuracy: number; valLoss: number; valAccuracy: number }

async function readLogs(runDir: string): Promise<Record<string, Logs>> {
  return JSON.parse(await runReference('tensorboard_scalars.py', [path.join(runDir, 'logs')])) as Record<string, Logs>;
}

async function metrics(runDir: string): Promise<EpochLine[]> {
  const text = await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8').catch(() => '');
  return text.trim() ? text.trim().split('\n').map((l) => JSON.parse(l) as EpochLine) : [];
}

/** The value at each step; a step written twice (an epoch redone after a kill) counts as its last write. */
function byStep(points: [number, number][] | undefined): Map<number, number> {
  return new Map(points ?? []);
}

/** Equal as float32, which is what a simple_value holds. */
function expectFloat32(got: number | undefined, want: number, what: string): void {
  expect(got, what).toBeDefined();
  expect(Math.abs(got! - Math.fround(want)), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(want)));
}

/** Starts a run and SIGKILLs it once two epochs are in metrics.jsonl, that is in the middle of the third. */
async function startAndKill(out: string): Promise<string> {
  const child = spawn(process.execPath, [xfer, ...TRAIN, '--out', out], { stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', r));
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const runs = await fs.readdir(out).catch(() => [] as string[]);
    if (runs.length === 1 && (await metrics(path.join(out, runs[0]!))).length >= 2) {
      child.kill('SIGKILL');
      await exited;
      return path.join(out, runs[0]!);
    }
  }
}

suite(`TensorBoard event files read by TensorBoard${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'xfer-tensorboard-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('loads after a SIGKILL, and the resumed run continues the same curves in new files', async () => {
    const runDir = await startAndKill(path.join(tmp, 'runs'));
    const killed = await readLogs(runDir);
    expect(Object.keys(killed)).toEqual(['train', 'validation']);
    expect(byStep(killed.train!.scalars.epoch_loss).has(1)).toBe(true);

    await promisify(execFile)(process.execPath, [xfer, 'train', '--resume', runDir, '-q'], { maxBuffer: 16 << 20 });
    const logs = await readLogs(runDir);
    const lines = await metrics(runDir);
    expect(lines.map((l) => l.phase)).toEqual(['train', 'train', 'train', 'fine-tune']);

    // As Keras: one file per writer per process, epoch_* in both folders, the learning rate and
    // batch_* in train/, evaluation_*_vs_iterations in validation/.
    for (const run of ['train', 'validation']) {
      const files = Object.keys(logs[run]!.files);
      expect(files.length, run).toBe(2);
      for (const f of files) expect(f).toMatch(/^events\.out\.tfevents\.\d{10}\..+\.\d+\.\d+\.v2$/);
    }
    expect(Object.keys(logs.train!.scalars).sort()).toEqual(['batch_accuracy', 'batch_loss', 'epoch_accuracy', 'epoch_learning_rate', 'epoch_loss']);
    expect(Object.keys(logs.validation!.scalars).sort()).toEqual(['epoch_accuracy', 'epoch_loss', 'evaluation_accuracy_vs_iterations', 'evaluation_loss_vs_iterations']);

    // Epoch steps are the 0-based epoch of the whole run, across phases and the resume.
    const train = logs.train!.scalars;
    const validation = logs.validation!.scalars;
    expect([...byStep(train.epoch_loss).keys()].sort()).toEqual([0, 1, 2, 3]);
    lines.forEach((l, step) => {
      expectFloat32(byStep(train.epoch_loss).get(step), l.loss, `train epoch_loss ${step}`);
      expectFloat32(byStep(train.epoch_accuracy).get(step), l.accuracy, `train epoch_accuracy ${step}`);
      expectFloat32(byStep(train.epoch_learning_rate).get(step), LEARNING_RATE[l.phase]!, `epoch_learning_rate ${step}`);
      expectFloat32(byStep(validation.epoch_loss).get(step), l.valLoss, `validation epoch_loss ${step}`);
      expectFloat32(byStep(validation.epoch_accuracy).get(step), l.valAccuracy, `validation epoch_accuracy ${step}`);
    });

    // Batch steps count the run's batches from 1, every second one written (update freq 2).
    const evalSteps = [...byStep(validation.evaluation_loss_vs_iterations).keys()].sort((a, b) => a - b);
    const batches = evalSteps[0]!;
    expect(evalSteps).toEqual([1, 2, 3, 4].map((e) => e * batches));
    const batchSteps = [...byStep(train.batch_loss).keys()].sort((a, b) => a - b);
    expect(batchSteps).toEqual(Array.from({ length: Math.floor((4 * batches) / 2) }, (_, i) => 2 * (i + 1)));
    for (const [, a] of train.batch_accuracy!) expect(a).toBeGreaterThanOrEqual(0);

    // The sample and augmentation grids once, from the first process: 3 by 3 tiles of 64 px under
    // 28-px titles, 10 px apart (renderImageGrid's defaults). The confusion matrix at the last
    // epoch's step, as confusion.png, whose PNG header holds its size.
    const grid = [{ step: 0, width: 232, height: 316, decoded: [232, 316] }];
    expect(logs.train!.images).toEqual({ samples: grid, augmentation: grid });
    const png = await fs.readFile(path.join(runDir, 'confusion.png'));
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    expect(logs.test!.images).toEqual({ confusion_matrix: [{ step: 3, width, height, decoded: [width, height] }] });
    expect(Object.keys(logs.validation!.images)).toEqual([]);

    // Weight histograms in train/ only, at epochs 0 and 2 (histogram freq 2), one per weight.
    const histograms = logs.train!.histograms;
    expect(Object.keys(histograms)).toEqual(expect.arrayContaining(['dense/kernel/histogram', 'dense/bias/histogram', 'block1_conv1/kernel/histogram']));
    for (const [tag, points] of Object.entries(histograms)) {
      expect(points.map((p) => p.step), tag).toEqual([0, 2]);
      for (const p of points) {
        expect(p.counted, tag).toBe(p.num);
        expect(p.min, tag).toBeLessThanOrEqual(p.max);
      }
    }
    expect(Object.keys(logs.validation!.histograms)).toEqual([]);
  });
});
