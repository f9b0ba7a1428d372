import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { info } from '../src/index.js';
import { corpusPath, corpusSample, packageRoot } from './helpers.js';

interface KernelOutputs {
  avx2Kernels: boolean;
  digests: string[];
}

/** Runs test/kernel_outputs.mjs (against the built package) in a child with `portable` set or not. */
function outputs(files: string[], portable: boolean): KernelOutputs {
  const stdout = execFileSync(process.execPath, [join(packageRoot, 'test/kernel_outputs.mjs'), ...files], {
    encoding: 'utf8',
    env: { ...process.env, XFER_PORTABLE_KERNELS: portable ? '1' : '0' },
    timeout: 120_000,
  });
  return JSON.parse(stdout) as KernelOutputs;
}

describe('the AVX2 kernels', () => {
  it.skipIf(!info().avx2Kernels)('(needs an AVX2 CPU) give the bits of the portable loops: resize and rotation', () => {
    const files = corpusSample(6).map(corpusPath);
    const avx2 = outputs(files, false);
    const portable = outputs(files, true);
    expect(avx2.avx2Kernels).toBe(true);
    expect(portable.avx2Kernels).toBe(false);
    // 12 resize batches and 384 rotations; nearly all distinct, so equal lists mean equal outputs.
    expect(avx2.digests).toHaveLength(12 + 384);
    expect(new Set(avx2.digests).size).toBeGreaterThan(avx2.digests.length * 0.8);
    expect(portable.digests).toEqual(avx2.digests);
  });
});
