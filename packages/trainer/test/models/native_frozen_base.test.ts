import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { pickBackend } from '../../src/backend/pick_backend.js';
import { setPrecision } from '../../src/backend/precision.js';
import { batchNormInInferenceMode } from '../../src/models/inference_batch_norm.js';
import { runFrozenBaseNatively } from '../../src/models/native_frozen_base.js';
import { transferModel } from '../../src/models/transfer_model.js';
import { xception } from '../../src/models/xception.js';
import { relativeError } from '../helpers.js';
import { randomiseBatchNorms } from './batch_norm_stats.js';

const KERNEL = 'XferFrozenGraph';

/** The base's output through its layers (trainable: the graph stands aside) and frozen (the graph). */
function bothWays(base: tfl.LayersModel, x: tf.Tensor) {
  base.trainable = true;
  const layers = base.apply(x, { training: false }) as tf.Tensor;
  base.trainable = false;
  const runKernel = vi.spyOn(tf.engine(), 'runKernel');
  const graph = base.apply(x, { training: false }) as tf.Tensor;
  const kernels = runKernel.mock.calls.map(([name]) => name);
  runKernel.mockRestore();
  return { layers, graph, kernels };
}

describe('a frozen base runs as one native graph', () => {
  beforeAll(async () => {
    await pickBackend('cpu');
    expect(tf.getKernel(KERNEL, 'cpu'), 'pickBackend registers @xfer/native-kernels, whose graph kernel this checks').toBeDefined();
  });
  afterEach(() => tf.disposeVariables());

  it('Xception frozen gives its layers’ output, in one kernel call, and stands aside while it trains', async () => {
    const base = xception({ inputShape: [71, 71, 3], seed: 3 });
    randomiseBatchNorms(base, 1);
    batchNormInInferenceMode(base);
    expect(await runFrozenBaseNatively(base)).toMatch(/^one native graph of \d+ oneDNN primitives/);
    const x = tf.randomUniform([2, 71, 71, 3], -1, 1, 'float32', 5);
    const { layers, graph, kernels } = bothWays(base, x);
    expect(graph.shape).toEqual(layers.shape);
    expect(relativeError(graph.dataSync(), layers.dataSync())).toBeLessThan(1e-4);
    expect(kernels.filter((k) => k === KERNEL)).toHaveLength(1);
    expect(kernels.filter((k) => /Conv2D|BatchNorm/.test(k))).toEqual([]);
    tf.dispose([x, layers, graph]);
  });

  // The graph keeps bf16 activations between layers, as Keras' mixed_bfloat16 layers output bf16,
  // and its batch norms are folded into bf16 weights. Xception's features come within 2% of the
  // float32 layers' largest value (measured 0.8% at 150x150); above 1e-4 shows bf16 ran.
  it('under mixed_bfloat16 stays within 2% of the float32 layers', async () => {
    const base = xception({ inputShape: [71, 71, 3], seed: 5 });
    randomiseBatchNorms(base, 20);
    batchNormInInferenceMode(base);
    await runFrozenBaseNatively(base);
    const x = tf.randomUniform([2, 71, 71, 3], -1, 1, 'float32', 9);
    base.trainable = true;
    const layers = base.apply(x) as tf.Tensor;
    base.trainable = false;
    await setPrecision('mixed_bfloat16');
    try {
      const graph = base.apply(x) as tf.Tensor;
      const error = relativeError(graph.dataSync(), layers.dataSync());
      expect(error).toBeLessThan(2e-2);
      expect(error).toBeGreaterThan(1e-4);
      graph.dispose();
    } finally {
      await setPrecision('float32');
    }
    tf.dispose([x, layers]);
  });

  it('recompiles when the weights change, and the head’s gradients match the layers’', async () => {
    const base = xception({ inputShape: [71, 71, 3], seed: 4 });
    randomiseBatchNorms(base, 50);
    const model = transferModel(base, { seed: 6, dropout: 0 });
    await runFrozenBaseNatively(base);
    const x = tf.randomUniform([2, 71, 71, 3], 0, 255, 'float32', 7);
    const y = tf.tensor2d([[1], [0]]);
    const headGrads = (trainable: boolean) => {
      base.trainable = trainable;
      const vars = model.trainableWeights.filter((w) => !base.weights.includes(w)).map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor), vars);
      value.dispose();
      return vars.map((v) => grads[v.name]!);
    };
    const before = headGrads(false); // compiles the graph
    const conv = base.getLayer('block14_sepconv2');
    conv.setWeights(conv.getWeights().map((w) => tf.mul(w, 1.5)));
    const viaGraph = headGrads(false);
    const viaLayers = headGrads(true);
    viaGraph.forEach((g, i) => expect(relativeError(g.dataSync(), viaLayers[i]!.dataSync()), `gradient ${i}`).toBeLessThan(1e-3));
    expect(relativeError(before[0]!.dataSync(), viaLayers[0]!.dataSync()), 'the new weights changed the gradient').toBeGreaterThan(1e-2);
    tf.dispose([x, y, ...before, ...viaGraph, ...viaLayers]);
  });

  it('covers standalone batch norms, ReLU layers, depthwise multipliers, biases and valid pooling', async () => {
    const input = tfl.input({ shape: [12, 12, 4] });
    const b = tfl.layers.batchNormalization({ axis: -1 }).apply(input) as tfl.SymbolicTensor;
    const c = tfl.layers.reLU().apply(b) as tfl.SymbolicTensor;
    const d = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', biasInitializer: 'randomNormal' }).apply(c) as tfl.SymbolicTensor;
    const e = tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', biasInitializer: 'randomNormal' }).apply(d) as tfl.SymbolicTensor;
    const f = tfl.layers.conv2d({ filters: 8, kernelSize: 1 }).apply(e) as tfl.SymbolicTensor;
    const g = tfl.layers.add().apply([f, d]) as tfl.SymbolicTensor;
    const h = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid' }).apply(g) as tfl.SymbolicTensor;
    const out = tfl.layers.activation({ activation: 'linear' }).apply(h) as tfl.SymbolicTensor;
    const base = tfl.model({ inputs: input, outputs: out });
    randomiseBatchNorms(base, 90);
    batchNormInInferenceMode(base);
    expect(await runFrozenBaseNatively(base)).toMatch(/^one native graph of 5 oneDNN primitives/);
    const x = tf.randomNormal([3, 12, 12, 4], 0, 1, 'float32', 8);
    const { layers, graph, kernels } = bothWays(base, x);
    expect(kernels).toContain(KERNEL);
    expect(relativeError(graph.dataSync(), layers.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, layers, graph]);
  });

  it('says why a base runs layer by layer: batch statistics, a layer with no graph form, a backend without the kernel', async () => {
    const scratch = xception({ inputShape: [71, 71, 3] });
    transferModel(scratch, { baseBatchNorm: 'batch' });
    expect(await runFrozenBaseNatively(scratch)).toBe('layer by layer for now (block1_conv1_bn normalises with batch statistics)');
    const input = tfl.input({ shape: [8, 8, 3] });
    const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'sigmoid', name: 'gate' }).apply(input) as tfl.SymbolicTensor;
    const base = tfl.model({ inputs: input, outputs: conv });
    expect(await runFrozenBaseNatively(base)).toBe('layer by layer for now (gate has activation sigmoid)');
    base.trainable = false;
    const runKernel = vi.spyOn(tf.engine(), 'runKernel');
    tf.dispose(base.apply(tf.zeros([1, 8, 8, 3])) as tf.Tensor);
    expect(runKernel.mock.calls.map(([name]) => name)).not.toContain(KERNEL);
    runKernel.mockRestore();
    await pickBackend('wasm');
    try {
      const other = xception({ inputShape: [71, 71, 3] });
      transferModel(other);
      expect(await runFrozenBaseNatively(other)).toBe('layer by layer (the wasm backend has no XferFrozenGraph kernel)');
    } finally {
      await pickBackend('cpu');
    }
  });
});
