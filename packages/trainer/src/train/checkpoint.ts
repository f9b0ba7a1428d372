import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { writeFileAtomic } from '../fs/write_atomic.js';
import { saveModel } from '../weights/file_io.js';
import type { EpochLogs } from './callbacks.js';

/** Where a run stands after an epoch: enough to continue it in another process. */
export interface TrainingState {
  /** Index of the phase the last completed epoch belongs to. */
  phase: number;
  /** Epochs completed in that phase. */
  epoch: number;
  history: EpochLogs[];
}

const POINTER = 'checkpoint.json';

/** A checkpoint folder, or what a save killed mid-way left of one (saveModel's `.<name>.partial-*`). */
function isCheckpointEntry(entry: string): boolean {
  return entry.startsWith('checkpoint-') || entry.startsWith('.checkpoint-');
}

/**
 * Saves model weights, optimizer state and the training state into a fresh folder, then points
 * `checkpoint.json` at it with an atomic rename: a process killed at any moment leaves the
 * previous checkpoint, or the new one, whole. Older checkpoint folders are removed afterwards.
 */
export async function saveCheckpoint(runDir: string, model: tfl.LayersModel, optimizer: tf.Optimizer, state: TrainingState): Promise<void> {
  const name = `checkpoint-p${state.phase}-e${state.epoch}`;
  const dir = path.join(runDir, name);
  await fs.rm(dir, { recursive: true, force: true });
  await saveModel(model, dir);
  const weights = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(weights);
  // getWeights() makes a new scalar for the step count ('iter'); the rest are the optimizer's own
  // variables, which stay alive.
  tf.dispose(weights.filter((w) => w.name === 'iter').map((w) => w.tensor));
  await writeFileAtomic(path.join(dir, 'optimizer.bin'), new Uint8Array(data as ArrayBuffer));
  await writeFileAtomic(path.join(dir, 'optimizer.json'), JSON.stringify(specs));
  await writeFileAtomic(path.join(dir, 'state.json'), JSON.stringify(state));
  await writeFileAtomic(path.join(runDir, POINTER), JSON.stringify({ current: name }));
  for (const entry of await fs.readdir(runDir)) {
    if (isCheckpointEntry(entry) && entry !== name) await fs.rm(path.join(runDir, entry), { recursive: true, force: true });
  }
}

/** The last complete checkpoint of a run, or null when it has none. */
/** A checkpoint found in a run directory: its folder and the state it saved. */
export interface Checkpoint {
  dir: string;
  state: TrainingState;
}

export async function readCheckpoint(runDir: string): Promise<Checkpoint | null> {
  const pointer = await fs.readFile(path.join(runDir, POINTER), 'utf8').catch(() => null);
  if (pointer === null) return null;
  const dir = path.join(runDir, (JSON.parse(pointer) as { current: string }).current);
  const state = JSON.parse(await fs.readFile(path.join(dir, 'state.json'), 'utf8')) as TrainingState;
  return { dir, state };
}

/**
 * Restores an optimizer's state (Adam's step count and moments) saved by saveCheckpoint. KerasAdam
 * derives β^t from the step count, so the resumed steps are bit for bit those of an uninterrupted run.
 */
export async function restoreOptimizer(dir: string, optimizer: tf.Optimizer): Promise<void> {
  const specs = JSON.parse(await fs.readFile(path.join(dir, 'optimizer.json'), 'utf8')) as tf.io.WeightsManifestEntry[];
  const buf = await fs.readFile(path.join(dir, 'optimizer.bin'));
  const map = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, specs);
  await optimizer.setWeights(specs.map((s) => ({ name: s.name, tensor: map[s.name]! })));
}

/** Removes a finished run's checkpoints, as Keras' BackupAndRestore does once training ends. */
export async function clearCheckpoints(runDir: string): Promise<void> {
  await fs.rm(path.join(runDir, POINTER), { force: true });
  for (const entry of await fs.readdir(runDir)) {
    if (isCheckpointEntry(entry)) await fs.rm(path.join(runDir, entry), { recursive: true, force: true });
  }
}
