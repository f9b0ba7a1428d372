import { spawn, execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xfer = path.join(root, 'packages/cli/bin/xfer.js');

async function lines(file: string): Promise<Array<{ phase: string; epoch: number }>> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.trim() ? text.trim().split('\n').map((l) => JSON.parse(l)) : [];
}

const TRAIN = ['train', '--demo-per-class', '16', '--epochs', '4', '--fine-tune-epochs', '1', '--batch-size', '4'];

/** Starts a training run and kills it with `signal` once `epochs` epochs are checkpointed. */
async function startAndStop(tmp: string, signal: NodeJS.Signals, epochs: number, args = TRAIN): Promise<{ runDir: string; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [xfer, ...args, '--out', path.join(tmp, 'runs')], {
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

/** The one run directory under `dir`, if any. */
async function onlyRun(dir: string): Promise<string | undefined> {
  const runs = await fs.readdir(dir).catch(() => [] as string[]);
  return runs.length === 1 ? path.join(dir, runs[0]!) : undefined;
}

/** Runs `args` and SIGKILLs it after `ms` unless it has exited by then; says whether it was killed, and after how long. */
async function runAndKill(args: string[], ms: number, opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ killed: boolean; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [xfer, ...args], { ...opts, stdio: 'ignore' });
  const exited = new Promise<{ code: number | null }>((r) => child.on('exit', (code) => r({ code })));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const { code } = await exited;
  clearTimeout(timer);
  if (code !== null && code !== 0) throw new Error(`xfer ${args.join(' ')} exited with ${code}`);
  return { killed: code === null, ms: Date.now() - t0 };
}

describe('stopping and resuming a run', () => {
  it('survives SIGKILL at several random moments: each checkpoint is whole, and the resumed run ends bit-identical', async () => {
    const tmp = tempDir('xfer-e2e-kills-');
    const opts = { cwd: tmp, env: { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache') } };
    // The uninterrupted reference; it also makes the demo sets and the pretrained base, so the
    // kills below land in data loading, training, checkpointing and saving.
    const t0 = Date.now();
    await run(process.execPath, [xfer, ...TRAIN, '--out', path.join(tmp, 'whole')], opts);
    // Kill delays are drawn over the length of a run; a run that ends first recalibrates it.
    let runMs = Date.now() - t0;
    const expected = await fs.readFile(path.join((await onlyRun(path.join(tmp, 'whole')))!, 'model', 'weights.bin'));

    const runs = path.join(tmp, 'runs');
    let seed = 20261129;
    const nextDelay = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return Math.round(runMs * (0.45 + 0.5 * (seed / 2 ** 32)));
    };
    let resumes = 0;
    /** Resume the run if it has a checkpoint; otherwise (never checkpointed, or already finished) start afresh. */
    const nextArgs = async (): Promise<string[]> => {
      const runDir = await onlyRun(runs);
      const pointer = runDir ? await fs.readFile(path.join(runDir, 'checkpoint.json'), 'utf8').catch(() => null) : null;
      if (runDir && pointer) {
        // Whatever moment the kill hit, the pointer names a complete checkpoint.
        const dir = path.join(runDir, (JSON.parse(pointer) as { current: string }).current);
        const manifest = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
        const declared = manifest.weightsManifest[0].weights.reduce((n: number, w: { shape: number[] }) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
        expect((await fs.stat(path.join(dir, 'weights.bin'))).size).toBe(declared);
        expect(JSON.parse(await fs.readFile(path.join(dir, 'state.json'), 'utf8')).epoch).toBeGreaterThanOrEqual(1);
        resumes++;
        return ['train', '--resume', runDir];
      }
      if (runDir) await fs.rm(runDir, { recursive: true });
      return [...TRAIN, '--out', runs];
    };
    let kills = 0;
    for (let attempt = 0; attempt < 20 && kills < 4; attempt++) {
      const r = await runAndKill(await nextArgs(), nextDelay(), opts);
      if (r.killed) kills++;
      else runMs = r.ms;
    }
    expect(kills).toBe(4);
    expect((await runAndKill(await nextArgs(), 600_000, opts)).killed).toBe(false);
    expect(resumes, 'a kill that left a checkpoint was resumed').toBeGreaterThanOrEqual(1);
    const got = await fs.readFile(path.join((await onlyRun(runs))!, 'model', 'weights.bin'));
    expect(got.equals(expected), 'killed-and-resumed and uninterrupted runs end with different weights').toBe(true);
    console.log(`survived ${kills} SIGKILLs (${resumes} resumes); final weights identical to the uninterrupted run`);
  }, 400_000);

  it('SIGKILL leaves a loadable checkpoint, and --resume finishes the run without repeating epochs, bit-identical to an uninterrupted run', async () => {
    const tmp = tempDir('xfer-e2e-kill-');
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
    const tmp = tempDir('xfer-e2e-int-');
    const { runDir, code, stderr } = await startAndStop(tmp, 'SIGINT', 1);
    expect(code).toBe(130);
    expect(stderr).toContain(`xfer train --resume ${runDir}`);
    expect(await fs.stat(path.join(runDir, 'checkpoint.json'))).toBeTruthy();
  }, 180_000);

  it('SIGINT during the feature-cache frozen phase exits 130, and --resume finishes bit-identical to an uninterrupted run', async () => {
    const tmp = tempDir('xfer-e2e-int-fc-');
    const env = { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache') };
    // Many cheap frozen epochs on cached features, so the signal lands inside that phase.
    const args = ['train', '--demo-per-class', '16', '--epochs', '60', '--fine-tune-epochs', '1', '--batch-size', '4', '--feature-cache', '2'];
    const { runDir, code, stderr } = await startAndStop(tmp, 'SIGINT', 2, args);
    expect(code).toBe(130);
    expect(stderr).toContain(`xfer train --resume ${runDir}`);
    const stopped = await lines(path.join(runDir, 'metrics.jsonl'));
    expect(stopped.at(-1)!.phase).toBe('frozen');
    expect(stopped.length).toBeLessThan(60);
    const r = await run(process.execPath, [xfer, 'train', '--resume', runDir], { cwd: tmp, env });
    expect(r.stdout).toMatch(/resuming after epoch \d+ of phase 1/);
    const logged = await lines(path.join(runDir, 'metrics.jsonl'));
    expect(logged.map((l) => `${l.phase}:${l.epoch}`)).toEqual([...Array.from({ length: 60 }, (_, i) => `frozen:${i + 1}`), 'fine-tune:1']);
    await run(process.execPath, [xfer, ...args, '--out', path.join(tmp, 'whole')], { cwd: tmp, env });
    const expected = await fs.readFile(path.join((await onlyRun(path.join(tmp, 'whole')))!, 'model', 'weights.bin'));
    const got = await fs.readFile(path.join(runDir, 'model', 'weights.bin'));
    expect(got.equals(expected), 'resumed and uninterrupted feature-cache runs end with different weights').toBe(true);
  }, 300_000);
});
