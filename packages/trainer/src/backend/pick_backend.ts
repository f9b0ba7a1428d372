import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle registers no gradients; the umbrella package's bundle registers them all.
import '@tensorflow/tfjs';
import { registerBatchNormGradient } from './batch_norm_gradient.js';
import { registerConvBackpropKernels } from './conv_gradients.js';
import { registerMaxPoolGradKernel } from './max_pool_gradient.js';
import { describeNativeKernels, loadNativeKernels } from './native_kernels.js';
import { describeAdapter, registerWebGpu } from './webgpu.js';

/** A tfjs backend xfer can run on, fastest first. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** Which backend was picked, and why each faster one was not. */
export interface BackendChoice {
  name: BackendName;
  /** The tfjs backend name as `tf.getBackend()` reports it. */
  tfName: string;
  reason: string;
  skipped: Array<{ name: BackendName; reason: string }>;
}

const require = createRequire(import.meta.url);

function firstLine(e: unknown): string {
  if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return 'not installed';
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0] ?? msg;
}

async function tryNode(pkg: string): Promise<void> {
  // tfjs-node registers the 'tensorflow' backend on import; it throws when libtensorflow is absent.
  await import(pkg);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but the 'tensorflow' backend did not initialise`);
}

async function tryWebGpu(): Promise<string> {
  const adapter = await registerWebGpu();
  if (!(await tf.setBackend('webgpu'))) throw new Error(`the webgpu backend did not initialise on ${describeAdapter(adapter)}`);
  return `tfjs webgpu on Dawn, ${describeAdapter(adapter)}`;
}

async function tryWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  wasm.setWasmPaths(dist + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
}

async function tryCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
}

/** Each loader sets its backend, or throws why it cannot; a string it returns describes the backend. */
const loaders: Record<BackendName, () => Promise<string | void>> = {
  'tensorflow-gpu': () => tryNode('@tensorflow/tfjs-node-gpu'),
  tensorflow: () => tryNode('@tensorflow/tfjs-node'),
  webgpu: tryWebGpu,
  wasm: tryWasm,
  cpu: tryCpu,
};

const why: Record<BackendName, string> = {
  'tensorflow-gpu': 'libtensorflow with CUDA (tfjs-node-gpu)',
  tensorflow: 'libtensorflow on the CPU (tfjs-node)',
  webgpu: 'tfjs webgpu on Dawn',
  wasm: 'XNNPACK in WebAssembly, single-threaded in Node; conv gradients supplied by xfer',
  cpu: 'plain JavaScript kernels; conv gradients supplied by xfer',
};

/**
 * Selects the fastest tfjs backend that loads here: tfjs-node-gpu, tfjs-node, webgpu (where Dawn
 * finds a GPU adapter), wasm, then cpu. When @xfer/native-kernels loads, cpu (with its oneDNN
 * kernels) comes before wasm.
 * `only` restricts the choice to one backend and fails if it cannot load.
 */
export async function pickBackend(only?: BackendName): Promise<BackendChoice> {
  // tfjs prints a "looks like you are running TensorFlow.js in Node.js" banner outside prod mode.
  tf.enableProdMode();
  const skipped: BackendChoice['skipped'] = [];
  const native = await loadNativeKernels();
  const order = typeof native === 'string' ? BACKEND_ORDER : (['tensorflow-gpu', 'tensorflow', 'webgpu', 'cpu', 'wasm'] as const);
  const candidates = only ? [only] : order;
  for (const name of candidates) {
    try {
      const described = await loaders[name]();
      await tf.ready();
      if (name === 'wasm' || name === 'cpu') {
        registerConvBackpropKernels(name);
        registerBatchNormGradient();
        if (name === 'wasm') registerMaxPoolGradKernel(name);
      }
      let what = described || why[name];
      if (name === 'cpu') {
        // After the composite gradients, so the native kernels replace them (and fall back on them).
        if (typeof native === 'string') what += `; native kernels: ${native}`;
        else {
          native.registerNativeKernels();
          what = `oneDNN native kernels from @xfer/native-kernels (${describeNativeKernels(native)}) over the cpu backend`;
        }
      }
      const reason = skipped.length === 0 ? what : `${what}; ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`;
      return { name, tfName: tf.getBackend(), reason, skipped };
    } catch (e) {
      skipped.push({ name, reason: firstLine(e) });
    }
  }
  const tried = skipped.map((s) => `${s.name}: ${s.reason}`).join('\n  ');
  throw new Error(`no tfjs backend could be loaded:\n  ${tried}`);
}
