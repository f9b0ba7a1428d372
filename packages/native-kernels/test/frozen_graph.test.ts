import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { loadBinding } from '../src/binding.js';
import { FrozenGraph, type FrozenGraphNode } from '../src/frozen_graph.js';
import { registerNativeKernels, setPrecision, unregisterNativeKernels } from '../src/index.js';
import { relativeError, randn, TOLERANCE } from './helpers.js';

type Pad = [number, number, number, number];

/** tfjs' own [top, left, bottom, right] for a window over [h, w] (what the trainer passes on). */
function padOf(h: number, w: number, k: number, s: number, pad: 'same' | 'valid'): Pad {
  const p = tf.backend_util.computeConv2DInfo([1, h, w, 1], [k, k, 1, 1], s, 1, pad).padInfo;
  return [p.top, p.left, p.bottom, p.right];
}

/**
 * A small network with every node kind and fusion Xception needs: a strided valid conv with bias
 * and relu, depthwise and pointwise convs, 'same' max pooling with uneven padding, a strided 1x1
 * conv with a residual summed in (once where the residual is read again later, once where it is
 * not), a standalone relu and add.
 */
function network() {
  const w = (shape: number[]) => tf.mul(randn(shape), 0.3);
  const p = {
    c0: w([3, 3, 3, 16]), b0: w([16]), d1: w([3, 3, 16, 1]), c2: w([1, 1, 16, 24]), b2: w([24]), d3: w([3, 3, 24, 1]), c4: w([1, 1, 24, 24]),
    b4: w([24]), c6: w([1, 1, 16, 24]), b6: w([24]), d8: w([3, 3, 24, 2]), c9: w([1, 1, 48, 24]), b9: w([24]),
  };
  const data = (t: tf.Tensor) => t.dataSync() as Float32Array;
  const conv = (input: number, weights: tf.Tensor, o: Partial<FrozenGraphNode>): FrozenGraphNode => ({
    op: 'conv', inputs: [input], kernel: [weights.shape[0]!, weights.shape[1]!], strides: [1, 1], pad: [0, 0, 0, 0],
    outChannels: weights.shape[3]! * (o.groups ?? 1), weights: data(weights), ...o,
  });
  const nodes: FrozenGraphNode[] = [
    conv(-1, p.c0, { strides: [2, 2], bias: data(p.b0), relu: true }), // 0: 19x19x16
    conv(0, p.d1, { groups: 16, pad: padOf(19, 19, 3, 1, 'same') }), // 1
    conv(1, p.c2, { bias: data(p.b2), relu: true }), // 2: 24
    conv(2, p.d3, { groups: 24, pad: padOf(19, 19, 3, 1, 'same') }), // 3
    conv(3, p.c4, { bias: data(p.b4) }), // 4
    { op: 'maxPool', inputs: [4], kernel: [3, 3], strides: [2, 2], pad: padOf(19, 19, 3, 2, 'same') }, // 5: 10x10x24
    { ...conv(0, p.c6, { strides: [2, 2], bias: data(p.b6) }), inputs: [0, 5] }, // 6: + 5, its last reader
    { op: 'relu', inputs: [6] }, // 7
    conv(7, p.d8, { groups: 24, outChannels: 48, pad: padOf(10, 10, 3, 1, 'same') }), // 8: multiplier 2
    { ...conv(8, p.c9, { bias: data(p.b9), relu: true }), inputs: [8, 6] }, // 9: + 6, read again by 10
    { op: 'add', inputs: [9, 6] }, // 10
    { op: 'relu', inputs: [10] }, // 11
  ];
  /** The same network in stock tfjs ops, the independent reference. */
  const reference = (x: tf.Tensor4D) =>
    tf.tidy(() => {
      const conv = (t: tf.Tensor4D, f: tf.Tensor, s: number, b: tf.Tensor) => tf.add(tf.conv2d(t, f as tf.Tensor4D, s, 'valid'), b) as tf.Tensor4D;
      const dw = (t: tf.Tensor4D, f: tf.Tensor) => tf.depthwiseConv2d(t, f as tf.Tensor4D, 1, 'same');
      const n0 = tf.relu(conv(x, p.c0, 2, p.b0));
      const n2 = tf.relu(conv(dw(n0, p.d1), p.c2, 1, p.b2));
      const n4 = conv(dw(n2, p.d3), p.c4, 1, p.b4);
      const n6 = tf.add(conv(n0, p.c6, 2, p.b6), tf.maxPool(n4, 3, 2, 'same')) as tf.Tensor4D;
      const n9 = tf.relu(tf.add(conv(dw(tf.relu(n6), p.d8), p.c9, 1, p.b9), n6));
      return tf.relu(tf.add(n9, n6)) as tf.Tensor4D;
    });
  return { nodes, reference, dispose: () => tf.dispose(Object.values(p)) };
}

/** Runs the graph's kernel directly on the cpu backend (the tests keep stock kernels registered for the reference). */
function run(graph: FrozenGraph, x: tf.Tensor4D): tf.Tensor4D {
  registerNativeKernels();
  try {
    return graph.apply(x);
  } finally {
    unregisterNativeKernels();
  }
}

describe('FrozenGraph: a frozen network in one native call', () => {
  const net = network();
  const graph = new FrozenGraph(net.nodes, [39, 39, 3]);
  afterAll(() => {
    graph.dispose();
    net.dispose();
  });
  afterEach(() => setPrecision('float32'));

  it('reports the output shape its nodes imply', () => {
    expect(graph.outputShape).toEqual([10, 10, 24]);
  });

  it('agrees with the same layers in stock tfjs ops, for several batch sizes on one graph', () => {
    for (const n of [2, 1, 3]) {
      const x = randn([n, 39, 39, 3]) as tf.Tensor4D;
      const ref = net.reference(x);
      const got = run(graph, x);
      expect(got.shape).toEqual([n, 10, 10, 24]);
      expect(relativeError(got.dataSync(), ref.dataSync())).toBeLessThanOrEqual(TOLERANCE);
      tf.dispose([x, ref, got]);
    }
  });

  it.skipIf(!loadBinding().info().bf16)('under mixed_bfloat16 keeps bf16 activations and agrees with float32 within 3%', () => {
    setPrecision('mixed_bfloat16');
    const x = randn([2, 39, 39, 3]) as tf.Tensor4D;
    const ref = net.reference(x);
    const got = run(graph, x);
    // Twelve layers of bf16 activations (8 significant bits each) compound to a few tenths of a
    // percent per layer; above float32's 1e-4 shows the bf16 plan ran.
    const error = relativeError(got.dataSync(), ref.dataSync());
    expect(error).toBeLessThanOrEqual(3e-2);
    expect(error).toBeGreaterThan(TOLERANCE);
    tf.dispose([x, ref, got]);
  });

  it('refuses an input of another shape, naming both', () => {
    const x = tf.zeros([1, 40, 39, 3]) as tf.Tensor4D;
    expect(() => run(graph, x)).toThrow(/float32 \[n, 39, 39, 3\], got float32 \[1, 40, 39, 3\]/);
    x.dispose();
  });
});

describe('FrozenGraph: invalid graphs are refused with the node and the reason', () => {
  const conv: FrozenGraphNode = { op: 'conv', inputs: [-1], kernel: [1, 1], strides: [1, 1], pad: [0, 0, 0, 0], outChannels: 2, weights: new Float32Array(6) };

  it.each([
    ['an input that is not an earlier node', [{ ...conv, inputs: [0] }], /node 0 \(conv\): input 0 is not an earlier node/],
    ['weights of the wrong size', [{ ...conv, weights: new Float32Array(5) }], /node 0 \(conv\): weights have 5 values, expected .* = 6/],
    ['a bias of the wrong size', [{ ...conv, bias: new Float32Array(3) }], /node 0 \(conv\): bias must have oc values/],
    ['channels that do not divide into groups', [{ ...conv, groups: 2 }], /node 0 \(conv\): channels do not divide into groups/],
    ['a window larger than the input', [{ ...conv, kernel: [9, 1], weights: new Float32Array(54) }], /node 0 \(conv\): the window is larger than the padded input/],
    ['an add of two shapes', [conv, { op: 'add', inputs: [0, -1] }], /node 1 \(add\): the addends' shapes differ/],
    ['pooling padding as large as the window', [{ op: 'maxPool', inputs: [-1], kernel: [2, 2], strides: [1, 1], pad: [2, 0, 0, 0] }], /node 0 \(maxPool\): padding must be smaller than the window/],
    ['an unknown op', [{ ...conv, op: 'mean' }], /graph node 0: op must be/],
  ] as Array<[string, FrozenGraphNode[], RegExp]>)('%s', (_, nodes, message) => {
    expect(() => new FrozenGraph(nodes, [4, 4, 3])).toThrow(message);
  });

  it('a disposed graph says so instead of running', () => {
    const g = new FrozenGraph([{ ...conv, relu: true }], [4, 4, 3]);
    g.dispose();
    const x = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => run(g, x)).toThrow(/disposed/);
    x.dispose();
  });
});
