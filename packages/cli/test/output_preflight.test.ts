import { execFileSync } from 'node:child_process';
import { promises as fs, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { transferModelParams } from '@xfer/trainer';
import { main } from '../src/main.js';
import { OutputDirError } from '../src/errors.js';
import { bytesNeeded, checkOutputDir, type PreflightFs } from '../src/output_preflight.js';

function capture() {
  const out = new PassThrough();
  const err = new PassThrough();
  let e = '';
  err.on('data', (d) => (e += d));
  return { io: { out: out as unknown as NodeJS.WriteStream, err: err as unknown as NodeJS.WriteStream }, err: () => e };
}

async function failure(p: Promise<unknown>): Promise<OutputDirError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(OutputDirError);
  return e as OutputDirError;
}

const newDir = () => mkdtempSync(path.join(os.tmpdir(), 'xfer-out-'));

/** A new directory for the current test, removed when the test ends, pass or fail. */
function tmp(): string {
  const dir = newDir();
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Mounts a tmpfs (read-only, or of a given size) where the machine allows it: CI runs as root,
 * where permission bits prove nothing, but a read-only or full file system is refused for root
 * too. Returns null without the privilege to mount.
 */
function mountTmpfs(options: string): string | null {
  const dir = newDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}
const readOnly = mountTmpfs('ro,size=1m');
const tiny = mountTmpfs('size=1m');
afterAll(() => {
  for (const dir of [readOnly, tiny]) {
    if (!dir) continue;
    execFileSync('umount', [dir]);
    rmdirSync(dir); // the now empty mount point; refused (EBUSY) if the umount did not happen
  }
});

/** Real node:fs, with one call replaced. */
function fsWith(override: Partial<PreflightFs>): PreflightFs {
  return { mkdir: fs.mkdir, writeFile: fs.writeFile, rm: fs.rm, statfs: fs.statfs, ...override };
}
const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
const needed = (model: 'xception' | 'mini-xception') => bytesNeeded(transferModelParams({ model, imageSize: 150 }));

describe('output directory preflight', () => {
  it('a writable directory with room passes, is created if missing, and keeps no probe file', async () => {
    const dir = path.join(tmp(), 'runs');
    await checkOutputDir(dir, needed('mini-xception'));
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('a path under a regular file is refused, naming the directory and the reason', async () => {
    const file = path.join(tmp(), 'not-a-dir');
    await fs.writeFile(file, '');
    const e = await failure(checkOutputDir(path.join(file, 'runs'), 1));
    expect(e.message).toBe(`output directory ${path.join(file, 'runs')}: cannot be created: a part of the path is a file, not a directory`);
  });

  it('xfer train exits 2 with the reason before any training starts', async () => {
    const file = path.join(tmp(), 'not-a-dir');
    await fs.writeFile(file, '');
    const c = capture();
    const started = performance.now();
    expect(await main(['train', '--out', path.join(file, 'runs'), '--quiet'], c.io)).toBe(2);
    expect(c.err()).toBe(`error: output directory ${path.join(file, 'runs')}: cannot be created: a part of the path is a file, not a directory\n`);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it.skipIf(!readOnly)('a read-only file system is refused, for root too (needs permission to mount a tmpfs)', async () => {
    const c = capture();
    expect(await main(['train', '--out', readOnly!, '--quiet'], c.io)).toBe(2);
    expect(c.err()).toBe(`error: output directory ${readOnly}: not writable: it is on a read-only file system\n`);
  });

  it.skipIf(!tiny)('a file system without room for the model and its checkpoints is refused (needs permission to mount a tmpfs)', async () => {
    const e = await failure(checkOutputDir(tiny!, needed('xception')));
    expect(e.dir).toBe(tiny);
    expect(e.reason).toMatch(/^not enough free space: 1\.0 MiB free, the run needs about 6\d\d\.\d MiB \(the model and two checkpoints\)$/);
    expect(await fs.readdir(tiny!)).toEqual([]);
  });

  it('EROFS, ENOSPC and EACCES from the probe, and a full statfs, read as such (injected, for machines that cannot mount)', async () => {
    const dir = tmp();
    for (const [code, reason] of [
      ['EROFS', 'not writable: it is on a read-only file system'],
      ['ENOSPC', 'not writable: no space left on the device'],
      ['EACCES', 'not writable: permission denied'],
    ]) {
      const e = await failure(checkOutputDir(dir, 1, fsWith({ writeFile: () => Promise.reject(errno(code!)) })));
      expect([e.dir, e.reason]).toEqual([dir, reason]);
    }
    const full = fsWith({ statfs: () => Promise.resolve({ bavail: 10, bsize: 4096 }) });
    const e = await failure(checkOutputDir(dir, needed('mini-xception'), full));
    expect(e.reason).toBe('not enough free space: 0.0 MiB free, the run needs about 66.5 MiB (the model and two checkpoints)');
  });

  it("budgets for the built model's parameters (Keras' Xception with a one-logit head: 20,863,529), leaving no tensors", () => {
    const tensors = tf.memory().numTensors;
    for (const [model, parameters] of [
      ['xception', 20_863_529],
      ['mini-xception', 94_921],
    ] as const) {
      // Global average pooling makes the count independent of the input size.
      for (const imageSize of [150, 299]) expect(transferModelParams({ model, imageSize }), `${model} at ${imageSize}`).toBe(parameters);
      expect(needed(model), model).toBe(28 * parameters + 64 * 2 ** 20); // weights, plus Adam's two moments in each of two checkpoints
    }
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
