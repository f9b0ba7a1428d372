import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { addonPath } from '../src/binding.js';
import { info } from '../src/index.js';
import { packageRoot } from './helpers.js';

function tryRun(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

const pkgConfigVersions = tryRun('pkg-config', ['--modversion', 'libturbojpeg', 'spng'])?.trim().split('\n');
const nvccHere = tryRun('nvcc', ['--version']) !== undefined || existsSync('/usr/local/cuda/bin/nvcc');
const gpuHere = tryRun('nvidia-smi', ['-L'])?.includes('GPU') ?? false;
// The dynamic linker's own list, independent of the addon's dlopen.
const driverHere = /\blibcuda\.so\.1\b/.test(tryRun('/sbin/ldconfig', ['-p']) ?? '');

describe('info()', () => {
  const i = info();

  it('reports version, SIMD level and thread count', () => {
    const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    expect(i.version).toBe(pkg.version);
    expect(['avx2', 'sse4.2', 'sse2', 'neon', 'none']).toContain(i.simd);
    expect(Number.isInteger(i.threads) && i.threads >= 1).toBe(true);
  });

  it.skipIf(process.arch !== 'x64' || !existsSync('/proc/cpuinfo'))('reports avx2 exactly when the CPU has it', () => {
    const hasAvx2 = /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
    expect(i.simd === 'avx2').toBe(hasAvx2);
  });

  it.skipIf(!pkgConfigVersions)('codec versions match pkg-config', () => {
    expect(i.codecs).toEqual({ libjpegTurbo: pkgConfigVersions![0], libspng: pkgConfigVersions![1] });
  });

  it('cuda.built says whether nvcc was there at build time', () => {
    expect(i.cuda.built).toBe(nvccHere);
    if (!i.cuda.built) expect(i.cuda.reason).toBe('built without CUDA: nvcc was not found at build time');
  });

  it.skipIf(gpuHere)('without a GPU, cuda.available is false and says why', () => {
    expect(i.cuda.available).toBe(false);
    expect(i.cuda.devices).toEqual([]);
    expect(i.cuda.reason).toMatch(/\w+/);
    if (i.cuda.built) expect(i.cuda.reason).toMatch(/CUDA|device|driver/i);
  });

  it.skipIf(!nvccHere || driverHere)('with a CUDA build and no NVIDIA driver installed, says so rather than asking for a driver update (skipped where libcuda.so.1 is installed)', () => {
    expect(i.cuda.reason).toBe('no NVIDIA driver (libcuda.so.1 is not installed)');
  });

  // A libcuda.so.1 with no driver entry points, first on the library path: the addon must not take
  // it for an old driver (cudart reports both with the same error).
  it.skipIf(!nvccHere || driverHere)('with a CUDA build and a libcuda.so.1 that is no driver, says that (skipped where a real one is installed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xfer-fake-libcuda-'));
    try {
      writeFileSync(join(dir, 'stub.c'), 'int xfer_not_a_driver;\n');
      execFileSync('cc', ['-shared', '-fPIC', '-o', join(dir, 'libcuda.so.1'), join(dir, 'stub.c')]);
      // A fresh process: the dynamic linker reads LD_LIBRARY_PATH once, at start-up.
      const script = `process.stdout.write(require(${JSON.stringify(addonPath())}).info().cuda.reason)`;
      const reason = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: dir } });
      expect(reason).toBe('libcuda.so.1 is installed but is not a working NVIDIA driver (it reports no CUDA version)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!gpuHere || !nvccHere)('with a GPU and a CUDA build, lists the devices (needs a GPU: skipped on CPU-only machines)', () => {
    expect(i.cuda.available).toBe(true);
    expect(i.cuda.reason).toBeUndefined();
    expect(i.cuda.devices.length).toBeGreaterThan(0);
    for (const d of i.cuda.devices) {
      expect(d.name.length).toBeGreaterThan(0);
      expect(d.computeCapability).toMatch(/^\d+\.\d+$/);
      expect(d.memoryBytes).toBeGreaterThan(0);
    }
  });
});
