/**
 * tools/gpu-check.sh and tools/gpu-check.mjs where they can run without a
 * GPU: each of their "no CUDA device" exits. (The measuring part needs a GPU
 * and minutes; it is run by hand, see the README's GPU path.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { info } from '../src/index.js';
import { packageRoot } from './helpers.js';

const repoRoot = resolve(packageRoot, '../..');
const script = join(repoRoot, 'tools/gpu-check.sh');
const mjs = join(repoRoot, 'tools/gpu-check.mjs');
const distBuilt = existsSync(join(packageRoot, 'dist/index.js'));
const cuda = info().cuda;

function onPath(cmd: string, path: string): boolean {
  return path.split(delimiter).some((dir) => existsSync(join(dir, cmd)));
}

const fakeBin = mkdtempSync(join(tmpdir(), 'xfer-gpu-check-'));
afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));

describe('tools/gpu-check.sh without a GPU', () => {
  it('nvidia-smi present but listing no GPU: says so with its output, exits 0, builds nothing', () => {
    // A stand-in for the driver's tool on a machine whose GPU is gone.
    const fake = join(fakeBin, 'nvidia-smi');
    writeFileSync(fake, '#!/bin/sh\necho "No devices were found"\nexit 6\n');
    chmodSync(fake, 0o755);
    const r = spawnSync('bash', [script], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${fakeBin}${delimiter}${process.env['PATH'] ?? ''}` },
      timeout: 20_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('no CUDA device: nvidia-smi -L lists none (No devices were found)\n');
    expect(existsSync(join(packageRoot, 'build-gpu-check'))).toBe(false);
  });

  const plainPath = '/usr/bin:/bin';
  it.skipIf(onPath('nvidia-smi', plainPath))('no nvidia-smi at all: says there is no driver, exits 0 (skipped where nvidia-smi is installed)', () => {
    const r = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, PATH: plainPath }, timeout: 20_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('no CUDA device: nvidia-smi is not installed (no NVIDIA driver on this machine)\n');
  });
});

describe('tools/gpu-check.mjs without a device', () => {
  it.skipIf(cuda.available || !distBuilt)(
    `prints the CUDA runtime's reason and exits 0 (skipped ${cuda.available ? 'where a device is present' : 'until the TS is built (dist/)'})`,
    () => {
      // The addon under test (XFER_NATIVE_BUILD_DIR, if set) is the one the script loads.
      const stdout = execFileSync(process.execPath, [mjs], { encoding: 'utf8', env: process.env, timeout: 30_000 });
      expect(stdout).toBe(`no CUDA device: ${cuda.reason}\n`);
    },
  );

  it('rejects an unknown argument with its usage (exit 1)', () => {
    const r = spawnSync(process.execPath, [mjs, '--bogus'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown argument --bogus; usage: node tools\/gpu-check\.mjs/);
  });
});
