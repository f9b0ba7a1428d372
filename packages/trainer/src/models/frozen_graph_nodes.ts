import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { layerReaders } from './layer_readers.js';

/**
 * One node of a frozen graph as @xfer/native-kernels' FrozenGraph takes it (the trainer does not
 * import that optional package, so the shape is repeated here): `inputs` index earlier nodes, -1
 * is the graph's input; a conv's second input is a residual summed in before its relu.
 */
export interface FrozenGraphNode {
  op: 'conv' | 'maxPool' | 'relu' | 'add';
  inputs: number[];
  kernel?: [number, number];
  strides?: [number, number];
  pad?: [number, number, number, number];
  groups?: number;
  outChannels?: number;
  weights?: Float32Array;
  bias?: Float32Array;
  relu?: boolean;
}

/** A base as frozen-graph nodes, or why it cannot be one. */
export type FrozenGraphPlan = { nodes: FrozenGraphNode[]; inputShape: [number, number, number] } | { unsupported: string };

/** A node before emission: inputs are other IR nodes or the graph's input. */
interface Ir {
  op: FrozenGraphNode['op'];
  inputs: Array<Ir | 'input'>;
  spec: Omit<FrozenGraphNode, 'op' | 'inputs'>;
  /** Layers reading this node's value; a fusion into a conv needs it to have one reader. */
  readers: number;
}

type Shape = [number, number, number];
type Config = Record<string, unknown>;

class Unsupported extends Error {}

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [v[0] as number, (v[1] ?? v[0]) as number] : [v as number, v as number];
}

function weight(layer: tfl.layers.Layer, name: string): Float32Array | undefined {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${name}`));
  return w ? Float32Array.from(w.read().dataSync() as Float32Array) : undefined;
}

function required(layer: tfl.layers.Layer, name: string): Float32Array {
  const w = weight(layer, name);
  if (!w) throw new Unsupported(`${layer.name} has no ${name}`);
  return w;
}

function inShape(layer: tfl.layers.Layer): Shape {
  const s = layer.inboundNodes[0]!.inputTensors[0]!.shape;
  return [s[1]!, s[2]!, s[3]!];
}

/** tfjs' padding of a window over `shape`, as [top, left, bottom, right]. */
function padding(shape: Shape, kernel: [number, number], strides: [number, number], pad: string, pool: boolean): [number, number, number, number] {
  const x: [number, number, number, number] = [1, ...shape];
  const p = pool
    ? tf.backend_util.computePool2DInfo(x, kernel, strides, 1, pad as 'same' | 'valid').padInfo
    : tf.backend_util.computeConv2DInfo(x, [...kernel, shape[2], 1], strides, 1, pad as 'same' | 'valid').padInfo;
  return [p.top, p.left, p.bottom, p.right];
}

function checkConvConfig(layer: tfl.layers.Layer, c: Config): void {
  if (c['dataFormat'] !== 'channelsLast') throw new Unsupported(`${layer.name} is not channels-last`);
  if (pair(c['dilationRate'] ?? 1).some((d) => d !== 1)) throw new Unsupported(`${layer.name} is dilated`);
  if (!['linear', 'relu', undefined].includes(c['activation'] as string)) throw new Unsupported(`${layer.name} has activation ${String(c['activation'])}`);
}

/**
 * Builds the IR of `base`'s layers: convolutions (separable ones as depthwise + pointwise) with
 * inference-mode batch norms folded into their weights, relus and residual adds folded in as
 * post-ops where the convolution's output has no other reader.
 */
function lower(base: tfl.LayersModel): Ir | 'input' {
  const uses = layerReaders(base);

  const value = new Map<string, Ir | 'input'>();
  const node = (op: Ir['op'], inputs: Ir['inputs'], spec: Ir['spec'], layer: tfl.layers.Layer): Ir => ({ op, inputs, spec, readers: uses.get(layer.name) ?? 0 });
  /** A conv whose output only `layer` reads and that has no relu yet: a relu can follow it as a post-op. */
  const reluFoldable = (v: Ir | 'input' | undefined): v is Ir => v !== undefined && v !== 'input' && v.op === 'conv' && v.readers === 1 && !v.spec.relu;
  /** ... and no residual yet: a batch norm folds into its weights, a sum into its output. */
  const foldable = (v: Ir | 'input' | undefined): v is Ir => reluFoldable(v) && v.inputs.length === 1;

  for (const layer of base.layers) {
    if (layer.inboundNodes.length !== 1) throw new Unsupported(`${layer.name} is called more than once`);
    const kind = layer.getClassName();
    const c = layer.getConfig() as Config;
    const inputs = layer.inboundNodes[0]!.inboundLayers.map((l) => value.get(l.name)!);
    const x = inputs[0]!;
    switch (kind) {
      case 'InputLayer':
        value.set(layer.name, 'input');
        break;
      case 'Conv2D':
      case 'DepthwiseConv2D':
      case 'SeparableConv2D': {
        checkConvConfig(layer, c);
        const shape = inShape(layer);
        const kernel = pair(c['kernelSize']);
        const strides = pair(c['strides']);
        const pad = padding(shape, kernel, strides, c['padding'] as string, false);
        const bias = c['useBias'] ? required(layer, 'bias') : undefined;
        const relu = c['activation'] === 'relu';
        if (kind === 'Conv2D') {
          value.set(layer.name, node('conv', [x], { kernel, strides, pad, outChannels: c['filters'] as number, weights: required(layer, 'kernel'), bias, relu }, layer));
          break;
        }
        const multiplier = (c['depthMultiplier'] as number | undefined) ?? 1;
        const depthwise = { kernel, strides, pad, groups: shape[2], outChannels: shape[2] * multiplier, weights: required(layer, 'depthwise_kernel') };
        if (kind === 'DepthwiseConv2D') {
          value.set(layer.name, node('conv', [x], { ...depthwise, bias, relu }, layer));
          break;
        }
        const dw: Ir = { op: 'conv', inputs: [x], spec: depthwise, readers: 1 };
        const pointwise = { kernel: [1, 1] as [number, number], strides: [1, 1] as [number, number], pad: [0, 0, 0, 0] as [number, number, number, number] };
        value.set(layer.name, node('conv', [dw], { ...pointwise, outChannels: c['filters'] as number, weights: required(layer, 'pointwise_kernel'), bias, relu }, layer));
        break;
      }
      case 'BatchNormalization': {
        const axis = c['axis'] as number;
        if (axis !== -1 && axis !== 3) throw new Unsupported(`${layer.name} normalises axis ${axis}`);
        if (!(layer as unknown as { xferInference?: boolean }).xferInference) throw new Unsupported(`${layer.name} normalises with batch statistics`);
        const mean = required(layer, 'moving_mean');
        const variance = required(layer, 'moving_variance');
        const gamma = c['scale'] ? required(layer, 'gamma') : undefined;
        const beta = c['center'] ? required(layer, 'beta') : undefined;
        const channels = mean.length;
        const scale = Float64Array.from(variance, (v, i) => (gamma ? gamma[i]! : 1) / Math.sqrt(v + (c['epsilon'] as number)));
        const shift = Float64Array.from(mean, (m, i) => (beta ? beta[i]! : 0) - m * scale[i]!);
        if (foldable(x)) {
          // w' = w · scale (per output channel, the innermost axis), b' = b · scale + shift.
          const w = x.spec.weights!;
          for (let i = 0; i < w.length; i++) w[i] = w[i]! * scale[i % channels]!;
          x.spec.bias = Float32Array.from(shift, (s, o) => (x.spec.bias ? x.spec.bias[o]! * scale[o]! : 0) + s);
          x.readers = uses.get(layer.name) ?? 0;
          value.set(layer.name, x);
        } else {
          // Not after a conv of its own: a 1x1 depthwise conv is the same affine map.
          const spec = { kernel: [1, 1] as [number, number], strides: [1, 1] as [number, number], pad: [0, 0, 0, 0] as [number, number, number, number] };
          value.set(layer.name, node('conv', [x], { ...spec, groups: channels, outChannels: channels, weights: Float32Array.from(scale), bias: Float32Array.from(shift) }, layer));
        }
        break;
      }
      case 'Activation':
      case 'ReLU': {
        const linear = kind === 'Activation' && c['activation'] === 'linear';
        const plainRelu = kind === 'Activation' ? c['activation'] === 'relu' : c['maxValue'] == null && !c['negativeSlope'] && !c['threshold'];
        if (linear) {
          value.set(layer.name, x);
        } else if (!plainRelu) {
          throw new Unsupported(`${layer.name} is not a plain relu`);
        } else if (reluFoldable(x)) {
          // After a residual sum too: relu(conv + bias + residual) is the post-ops' order.
          x.spec.relu = true;
          x.readers = uses.get(layer.name) ?? 0;
          value.set(layer.name, x);
        } else {
          value.set(layer.name, node('relu', [x], {}, layer));
        }
        break;
      }
      case 'MaxPooling2D': {
        if (c['dataFormat'] !== 'channelsLast') throw new Unsupported(`${layer.name} is not channels-last`);
        const kernel = pair(c['poolSize']);
        const strides = pair(c['strides'] ?? c['poolSize']);
        value.set(layer.name, node('maxPool', [x], { kernel, strides, pad: padding(inShape(layer), kernel, strides, c['padding'] as string, true) }, layer));
        break;
      }
      case 'Add': {
        let sum = x;
        for (const other of inputs.slice(1)) {
          // Fold the sum into whichever addend is a conv with no other reader.
          const [conv, residual] = foldable(sum) ? [sum, other] : foldable(other) ? [other, sum] : [undefined, undefined];
          if (conv) {
            conv.inputs.push(residual!);
            conv.readers = 1;
            sum = conv;
          } else {
            sum = { op: 'add', inputs: [sum, other], spec: {}, readers: 1 };
          }
        }
        if (sum !== 'input') sum.readers = uses.get(layer.name) ?? 0;
        value.set(layer.name, sum);
        break;
      }
      default:
        throw new Unsupported(`${layer.name} (${kind}) has no frozen-graph form`);
    }
  }
  if (base.outputLayers.length !== 1 || base.inputLayers.length !== 1) throw new Unsupported('the base must have one input and one output');
  return value.get(base.outputLayers[0]!.name)!;
}

/**
 * `base` (its batch norms in inference mode) as the nodes of a frozen graph, in an order where
 * every node follows its inputs, or the first reason it has no such form (a layer kind or option
 * the graph does not express).
 */
export function frozenGraphPlan(base: tfl.LayersModel): FrozenGraphPlan {
  let out: Ir | 'input';
  try {
    out = lower(base);
  } catch (e) {
    if (e instanceof Unsupported) return { unsupported: e.message };
    throw e;
  }
  if (out === 'input') return { unsupported: 'the base computes nothing' };
  const nodes: FrozenGraphNode[] = [];
  const index = new Map<Ir, number>();
  // Depth-first, inputs before readers: a residual is computed before the conv that sums it in.
  const emit = (n: Ir | 'input'): number => {
    if (n === 'input') return -1;
    const known = index.get(n);
    if (known !== undefined) return known;
    const inputs = n.inputs.map(emit);
    nodes.push({ op: n.op, inputs, ...n.spec });
    index.set(n, nodes.length - 1);
    return nodes.length - 1;
  };
  emit(out);
  const s = base.inputs[0]!.shape;
  return { nodes, inputShape: [s[1]!, s[2]!, s[3]!] };
}
