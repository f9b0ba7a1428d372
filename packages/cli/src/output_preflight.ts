/**
 * Checks the output directory before training starts, so a full disk or a read-only directory is
 * an error in the first second, naming the directory and the reason, rather than a crash at the
 * first checkpoint an hour later.
 */
import { promises as nodeFs } from 'node:fs';
import path from 'node:path';
import { transferModelParams, type TrainConfig } from '@xfer/trainer';
import { OutputDirError } from './errors.js';
import { usageError } from './exit_codes.js';

/**
 * Room for metrics.jsonl, plots, summary and errors.jsonl, and for a head wider than the one
 * logit that transferModelParams counts (2,049 parameters more per extra class on Xception).
 */
const MARGIN_BYTES = 64 * 2 ** 20;

/**
 * Disk a run needs at its peak, in bytes: float32 weights for the final model plus two
 * checkpoints (a new one is written in full before the old one goes), each holding the weights
 * and Adam's two moments.
 */
export function bytesNeeded(parameters: number): number {
  const weights = parameters * 4;
  return weights + 2 * 3 * weights + MARGIN_BYTES;
}

/** The file system calls the check makes; tests pass failing ones. */
export interface PreflightFs {
  mkdir(dir: string, options: { recursive: true }): Promise<unknown>;
  writeFile(file: string, data: string, options: { flag: 'wx' }): Promise<void>;
  rm(file: string, options: { force: true }): Promise<void>;
  statfs(dir: string): Promise<{ bavail: number; bsize: number }>;
}

const REASONS: Record<string, string> = {
  EROFS: 'it is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a part of the path is a file, not a directory',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
};

function reasonOf(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return (err.code && REASONS[err.code]) ?? err.message;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * Creates `dir` if needed, proves it writable by creating and removing a file, and checks that
 * its file system has `needed` bytes free. Throws OutputDirError otherwise.
 */
export async function checkOutputDir(dir: string, needed: number, fs: PreflightFs = nodeFs): Promise<void> {
  const where = path.resolve(dir);
  try {
    await fs.mkdir(where, { recursive: true });
  } catch (e) {
    throw new OutputDirError(where, `cannot be created: ${reasonOf(e)}`);
  }
  const probe = path.join(where, `.xfer-write-probe-${process.pid}`);
  try {
    // Permission bits alone would not do: root ignores them, a read-only mount does not.
    await fs.writeFile(probe, 'probe', { flag: 'wx' });
  } catch (e) {
    throw new OutputDirError(where, `not writable: ${reasonOf(e)}`);
  }
  await fs.rm(probe, { force: true });
  const { bavail, bsize } = await fs.statfs(where);
  const free = bavail * bsize;
  if (free < needed) {
    throw new OutputDirError(where, `not enough free space: ${mib(free)} free, the run needs about ${mib(needed)} (the model and two checkpoints)`);
  }
}

/**
 * The train command's check: the run directory for --resume, else the parent of new runs.
 * A failure is printed and ends the command with the usage exit code, like a bad flag.
 */
export async function preflightOutput(config: TrainConfig, resume: string | undefined, err: NodeJS.WritableStream): Promise<void> {
  try {
    await checkOutputDir(resume ?? config.out, bytesNeeded(transferModelParams(config)));
  } catch (e) {
    if (!(e instanceof OutputDirError)) throw e;
    usageError(err, 'xfer.outputDir', e.message);
  }
}
