import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBrokenFiles } from '@xfer/trainer';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xfer = path.join(root, 'packages/cli/bin/xfer.js');

// The built CLI, run as a user runs it, on a tiny demo set in a private cache directory.
describe('xfer train on a tiny demo set', () => {
  let tmp: string;
  let stdout: string;
  let stderr: string;
  let runDir: string;
  const perClass = 20;

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-e2e-'));
    const r = await run(
      process.execPath,
      [xfer, 'train', '--demo-per-class', String(perClass), '--epochs', '1', '--fine-tune-epochs', '1', '--batch-size', '8', '--out', path.join(tmp, 'runs')],
      { env: { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache') }, cwd: tmp, maxBuffer: 16 << 20 },
    );
    stdout = r.stdout;
    stderr = r.stderr;
    const runs = await fs.readdir(path.join(tmp, 'runs'));
    expect(runs).toHaveLength(1);
    runDir = path.join(tmp, 'runs', runs[0]!);
  });
  afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

  it('prints the configuration, one line per epoch and the test accuracy', () => {
    expect(stdout).toMatch(/^configuration: \{/m);
    // The demo's base is pretrained on a separate demo set first, then frozen as in the recipe.
    expect(stdout).toMatch(/^pretrained the demo base: held-out accuracy \d+\.\d%$/m);
    expect(stdout).toMatch(/^weights: .*mini_xception-demo-pretrained-.*\.h5$/m);
    expect(stdout).toMatch(/^epoch 1\/1 \(frozen\) .* val_acc \d\.\d{4}$/m);
    expect(stdout).toMatch(/^epoch 1\/1 \(fine-tune\) .* val_acc \d\.\d{4}$/m);
    expect(stdout).toMatch(/^test accuracy \d+\.\d{2}% \(\d+ images\)/m);
    expect(stdout).toMatch(/backend (wasm|cpu|tensorflow)/);
  });

  it('writes the run directory: model, metrics.jsonl, summary, config, errors', async () => {
    const files = (await fs.readdir(runDir)).sort();
    expect(files).toEqual(['config.json', 'confusion.png', 'curves.png', 'errors.jsonl', 'metrics.jsonl', 'model', 'summary.txt']);
    expect((await fs.readdir(path.join(runDir, 'model'))).sort()).toEqual(['model.json', 'preprocessing.json', 'weights.bin']);
    const metrics = (await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.phase)).toEqual(['frozen', 'fine-tune']);
    expect(metrics[0]).toMatchObject({ phase: 'frozen', epoch: 1, epochs: 1 });
    expect(metrics[0].valAccuracy).toBeGreaterThanOrEqual(0);
    const summary = await fs.readFile(path.join(runDir, 'summary.txt'), 'utf8');
    expect(summary).toMatch(/^test: accuracy \d+\.\d{2}%/m);
    expect(summary).toMatch(/^phase frozen: val accuracy \d+\.\d{2}% after 1 epochs, [\d.]+ img\/s on (wasm|cpu|tensorflow)/m);
    expect(summary).toMatch(/^phase fine-tune: val accuracy \d+\.\d{2}% after 1 epochs/m);
    const model = JSON.parse(await fs.readFile(path.join(runDir, 'model/model.json'), 'utf8'));
    const bytes = (await fs.stat(path.join(runDir, 'model/weights.bin'))).size;
    const declared = model.weightsManifest[0].weights.reduce(
      (n: number, w: { shape: number[] }) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    expect(bytes).toBe(declared);
  });

  it('reports every broken demo file by name with a reason, and keeps going', async () => {
    const broken = demoBrokenFiles({ perClass });
    expect(broken.length).toBeGreaterThanOrEqual(5);
    const errors = (await fs.readFile(path.join(runDir, 'errors.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    for (const b of broken) {
      const rel = `PetImages/${b.className}/${b.index}.jpg`;
      const logged = errors.find((e: { source: string }) => e.source.endsWith(rel));
      expect(logged, `${rel} (${b.kind}) in errors.jsonl`).toBeDefined();
      expect(logged.reason.length).toBeGreaterThan(5);
      expect(stderr).toContain(`warning: skipped ${logged.source}: `);
    }
  });

  it('exits 2 with the valid choices on a bad flag value', async () => {
    const e = await run(process.execPath, [xfer, 'train', '--backend', 'gpu-please'], { cwd: tmp }).catch((err) => err);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/Allowed choices are tensorflow-gpu, tensorflow, webgpu, wasm, cpu/);
  });

  it('refuses bad inputs before any work, naming the flag, with the usage exit code and no run directory', async () => {
    const out = path.join(tmp, 'refused-runs');
    const cases: Array<[string[], RegExp]> = [
      [['--image-size', '100000'], /--image-size must be an integer from 1 to 16384, got '100000'/],
      [['--model', 'xception', '--image-size', '64'], /--image-size 64 is too small for --model xception, which takes at least 71/],
      [['--data', path.join(tmp, 'nonexistent')], /--data .*nonexistent: no such file or folder/],
      [['--resume', tmp], /--resume .*: not an xfer run directory \(it has no config\.json\)/],
    ];
    for (const [flags, message] of cases) {
      const e = await run(process.execPath, [xfer, 'train', ...flags, '--out', out], { cwd: tmp, env: { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache') } }).catch((err) => err);
      expect(e.code, flags.join(' ')).toBe(2);
      expect(e.stderr, flags.join(' ')).toMatch(message);
      expect(e.stdout, flags.join(' ')).not.toMatch(/run directory/);
    }
    await expect(fs.access(out)).rejects.toThrow();
  });

  it('--backend webgpu without a GPU adapter exits 1 at once, saying why', async () => {
    // A libvulkan.so.1 without Vulkan's entry points makes "no adapter" certain on any machine.
    const lib = path.join(tmp, 'fake-vulkan');
    await fs.mkdir(lib, { recursive: true });
    await fs.writeFile(path.join(lib, 'stub.c'), 'int xfer_not_vulkan;\n');
    await run('cc', ['-shared', '-fPIC', '-o', path.join(lib, 'libvulkan.so.1'), path.join(lib, 'stub.c')]);
    const e = await run(process.execPath, [xfer, 'train', '--backend', 'webgpu', '--out', path.join(tmp, 'webgpu-runs')], {
      cwd: tmp,
      env: { ...process.env, XFER_CACHE_DIR: path.join(tmp, 'cache'), LD_LIBRARY_PATH: lib },
    }).catch((err) => err);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/no tfjs backend could be loaded:\n {2}webgpu: Dawn found no WebGPU adapter/);
    expect(e.stdout).not.toMatch(/^epoch /m);
  });
});
