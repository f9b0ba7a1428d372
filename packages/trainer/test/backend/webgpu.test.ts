import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { registerConvBackpropKernels } from '../../src/backend/conv_gradients.js';
import { registerWebGpu, vulkanLoaderPath } from '../../src/backend/webgpu.js';
import { xception } from '../../src/models/xception.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { KerasAdam } from '../../src/train/adam.js';
import { trainStep } from '../../src/train/train_step.js';
import { binaryObjective } from '../../src/train/metrics.js';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/index.js');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'xfer-webgpu-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `pickBackend('webgpu')` in a fresh process (the dynamic linker reads LD_LIBRARY_PATH at start-up). */
function pickWebGpu(env: NodeJS.ProcessEnv): string {
  const script = `import(${JSON.stringify(dist)}).then((m) => m.pickBackend('webgpu')).then((c) => console.log('picked', c.reason), (e) => console.log(e.message))`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
}

const systemLoader = vulkanLoaderPath({});
// Where Dawn finds a GPU, the backend is trained on; elsewhere that test says why it skips.
const noAdapter = await registerWebGpu().then(() => '', (e: Error) => e.message);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('the webgpu backend without a GPU', () => {
  it('finds libvulkan.so.1 on LD_LIBRARY_PATH before the linker cache', () => {
    const dir = path.join(scratch, 'ld');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(path.join(dir, 'libvulkan.so.1'), '');
    expect(vulkanLoaderPath({ LD_LIBRARY_PATH: `/nonexistent:${dir}` })).toBe(path.join(dir, 'libvulkan.so.1'));
  });

  it.skipIf(systemLoader !== undefined)(`fails at once naming the missing Vulkan loader${systemLoader ? ` (skipped: ${systemLoader} is installed)` : ''}`, () => {
    const { LD_LIBRARY_PATH: _, ...env } = process.env;
    expect(pickWebGpu(env)).toMatch(/^no tfjs backend could be loaded:\n {2}webgpu: no Vulkan loader \(libvulkan\.so\.1\)/);
  });

  it('fails at once when Dawn finds no adapter, and says so', () => {
    // A libvulkan.so.1 without Vulkan's entry points: Dawn loads it and finds no adapter.
    const dir = path.join(scratch, 'fake-vulkan');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(path.join(dir, 'stub.c'), 'int xfer_not_vulkan;\n');
    execFileSync('cc', ['-shared', '-fPIC', '-o', path.join(dir, 'libvulkan.so.1'), path.join(dir, 'stub.c')]);
    expect(pickWebGpu({ ...process.env, LD_LIBRARY_PATH: dir })).toMatch(/webgpu: Dawn found no WebGPU adapter/);
  });
});

describe('the webgpu backend has every kernel of the recipe\'s training step', () => {
  it('frozen step, fine-tune step and the base\'s inference forward, Xception at 71x71', async () => {
    await tf.setBackend('cpu');
    // xfer's composite conv gradients keep the plain cpu backend's step to seconds; they run under
    // the stock kernel names, which are what the webgpu backend has to provide.
    registerConvBackpropKernels('cpu');
    const base = xception({ inputShape: [71, 71, 3], seed: 1 });
    const model = transferModel(base, { seed: 1 });
    const x = tf.randomUniform([2, 71, 71, 3], 0, 255);
    const y = tf.tensor2d([[0], [1]]);
    const used = new Set<string>();
    const record = async (f: () => Promise<unknown>) => {
      for (const name of (await tf.profile(f)).kernelNames) used.add(name);
    };
    for (const trainable of [false, true]) {
      base.trainable = trainable;
      const optimizer = new KerasAdam(1e-3);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      await record(() => trainStep({ model, forward: (t) => model.apply(t, { training: true }) as tf.Tensor, x, y, vars, optimizer, objective: binaryObjective(), dropoutSeed: 1 }));
      optimizer.dispose();
    }
    await record(async () => tf.tidy(() => base.apply(x, { training: false }) as tf.Tensor).data());
    // The profile also names customGrad scopes (fusedConv2d__op); the step ran on cpu, so its kernels are cpu's.
    const kernels = [...used].filter((name) => tf.getKernel(name, 'cpu') !== undefined);
    expect(kernels).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'FusedBatchNorm', 'MaxPoolGrad']));
    const webgpu = new Set(tf.getKernelsForBackend('webgpu').map((k) => k.kernelName));
    expect(kernels.filter((k) => !webgpu.has(k))).toEqual([]);
  }, 120_000);
});

describe('the webgpu backend on a GPU', () => {
  it.skipIf(noAdapter !== '')(`trains three Adam steps as the cpu backend does (tools/gpu/backend_parity.mjs)${noAdapter ? ` (skipped: ${noAdapter})` : ''}`, () => {
    const json = path.join(scratch, 'parity.json');
    execFileSync(process.execPath, [path.join(repoRoot, 'tools/gpu/backend_parity.mjs'), '--json-out', json], { stdio: 'ignore', timeout: 120_000 });
    const r = JSON.parse(readFileSync(json, 'utf8')) as { lossDiff: number; gradientRel: number; weightPerLr: number; bounds: { loss: number; gradient: number; weightPerLr: number } };
    expect(r.lossDiff).toBeLessThanOrEqual(r.bounds.loss);
    expect(r.gradientRel).toBeLessThanOrEqual(r.bounds.gradient);
    expect(r.weightPerLr).toBeLessThanOrEqual(r.bounds.weightPerLr);
  }, 150_000);
});
