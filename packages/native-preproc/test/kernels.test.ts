import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { info, type KernelLevel } from '../src/index.js';
import { corpusPath, corpusSample, packageRoot } from './helpers.js';

interface KernelOutputs {
  kernels: KernelLevel;
  digests: string[];
}

const files = corpusSample(6).map(corpusPath);
const runs = new Map<string, KernelOutputs>();

/** Runs test/kernel_outputs.mjs (against the built package) in a child with XFER_KERNELS=`cap` (once per cap). */
function outputs(cap: KernelLevel): KernelOutputs {
  let run = runs.get(cap);
  if (!run) {
    const stdout = execFileSync(process.execPath, [join(packageRoot, 'test/kernel_outputs.mjs'), ...files], {
      encoding: 'utf8',
      env: { ...process.env, XFER_KERNELS: cap },
      timeout: 120_000,
    });
    run = JSON.parse(stdout) as KernelOutputs;
    runs.set(cap, run);
  }
  return run;
}

describe('the hand-written kernels', () => {
  const level = info().kernels;

  it.skipIf(level === 'portable')('(needs an AVX2 CPU) AVX2 gives the bits of the portable loops: resize and rotation', () => {
    const avx2 = outputs('avx2');
    const portable = outputs('portable');
    expect(avx2.kernels).toBe('avx2');
    expect(portable.kernels).toBe('portable');
    // 12 resize batches and 384 rotations; nearly all distinct, so equal lists mean equal outputs.
    expect(avx2.digests).toHaveLength(12 + 384);
    expect(new Set(avx2.digests).size).toBeGreaterThan(avx2.digests.length * 0.8);
    expect(portable.digests).toEqual(avx2.digests);
  });

  it.skipIf(level !== 'avx512')('(needs an AVX-512 CPU) AVX-512 gives the bits of AVX2: resize and rotation', () => {
    const avx512 = outputs('avx512');
    const avx2 = outputs('avx2');
    expect(avx512.kernels).toBe('avx512');
    expect(avx2.kernels).toBe('avx2');
    expect(avx512.digests).toHaveLength(12 + 384);
    expect(avx512.digests).toEqual(avx2.digests);
  });
});
