import { spawn, execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xfer = path.join(root, 'packages/cli/bin/xfer.js');

async function lines(file: string): Promise<Array<{ phase: string; epoch: number }>> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.trim() ? text.trim().split('\n').map((l) => JSON.parse(l)) : [];
}

const TRAIN = ['train', '--demo-per-class', '16', '--epochs', '4', '--fine-tune-epochs', '1', '--batch-size', '4'];

/** Starts a training run and kills it with `signal` once `epochs` epochs are checkpointed. */
async function startAndStop(tmp: string, signal: NodeJS.Signals, epochs: number): Promise<{ runDir: string; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [xfer, ...TRAIN, '--out', path.join(tmp, 'runs')], {
    env: { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache') },
    cwd: tmp,
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const runs = await fs.readdir(path.join(tmp, 'runs')).catch(() => []);
    if (runs.length === 1) {
      const runDir = path.join(tmp, 'runs', runs[0]!);
      if ((await lines(path.join(runDir, 'metrics.jsonl'))).length >= epochs) {
        child.kill(signal);
        return { runDir, code: await exited, stderr };
      }
    }
  }
}

describe('stopping and resuming a run', () => {
  it('SIGKILL leaves a loadable checkpoint, and --resume finishes the run without repeating epochs, bit-identical to an uninterrupted run', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-e2e-kill-'));
    const { runDir } = await startAndStop(tmp, 'SIGKILL', 2);
    const pointer = JSON.parse(await fs.readFile(path.join(runDir, 'checkpoint.json'), 'utf8'));
    const state = JSON.parse(await fs.readFile(path.join(runDir, pointer.current, 'state.json'), 'utf8'));
    expect(state.epoch).toBeGreaterThanOrEqual(2);
    const r = await run(process.execPath, [xfer, 'train', '--resume', runDir], { cwd: tmp, env: { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache') } });
    expect(r.stdout).toMatch(/resuming after epoch \d of phase 1/);
    expect(r.stdout).toMatch(/^test accuracy/m);
    const logged = await lines(path.join(runDir, 'metrics.jsonl'));
    expect(logged.map((l) => `${l.phase}:${l.epoch}`)).toEqual(['frozen:1', 'frozen:2', 'frozen:3', 'frozen:4', 'fine-tune:1']);
    expect((await fs.readdir(path.join(runDir, 'model'))).sort()).toEqual(['model.json', 'preprocessing.json', 'weights.bin']);

    // The same seed without the kill: every weight of the final model is bit-identical.
    const whole = await run(process.execPath, [xfer, ...TRAIN, '--out', path.join(tmp, 'whole')], { cwd: tmp, env: { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache') } });
    const [wholeRun] = await fs.readdir(path.join(tmp, 'whole'));
    const expected = await fs.readFile(path.join(tmp, 'whole', wholeRun!, 'model', 'weights.bin'));
    const got = await fs.readFile(path.join(runDir, 'model', 'weights.bin'));
    expect(got.length).toBe(expected.length);
    expect(got.equals(expected), 'resumed and uninterrupted runs end with different weights').toBe(true);
    const metrics = (out: string) => out.match(/^test accuracy .*? - backend/m)?.[0];
    expect(metrics(r.stdout)).toBeDefined();
    expect(metrics(r.stdout)).toBe(metrics(whole.stdout));
  }, 300_000);

  it('SIGINT stops cleanly with exit code 130 and says how to resume', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-e2e-int-'));
    const { runDir, code, stderr } = await startAndStop(tmp, 'SIGINT', 1);
    expect(code).toBe(130);
    expect(stderr).toContain(`xfer train --resume ${runDir}`);
    expect(await fs.stat(path.join(runDir, 'checkpoint.json'))).toBeTruthy();
  }, 180_000);
});
