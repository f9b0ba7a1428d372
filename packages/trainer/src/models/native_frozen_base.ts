import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadNativeKernels, type NativeFrozenGraph } from '../backend/native_kernels.js';
import { frozenGraphPlan } from './frozen_graph_nodes.js';

type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/**
 * What the graph was compiled from: the storage of the base's weights and which batch norms were
 * in inference mode.
 */
function signature(base: tfl.LayersModel): unknown[] {
  return [...base.weights.map((w) => w.read().dataId), ...base.layers.map((l) => (l as { xferInference?: boolean }).xferInference === true)];
}

function same(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const installed = new WeakSet<tfl.LayersModel>();

/**
 * Runs `base` as one native frozen graph (@xfer/native-kernels' FrozenGraph) whenever it is frozen
 * (not trainable) with its batch norms in inference mode, on a backend that has the graph kernel
 * (cpu with the native kernels): batch norms folded into the convolutions, relus and residual
 * sums fused into them, activations kept in oneDNN's layouts between layers, one call per batch.
 * That is the frozen phase's forward pass, its validation and the feature cache's extraction.
 * Otherwise, and while the base trains, its layers run as before. The graph is compiled on first
 * use and again whenever the base's weights change (a checkpoint, a weights file).
 *
 * Resolves to a line for the run's log: what the frozen base runs as, or why not natively.
 * Installing twice is a no-op.
 */
export async function runFrozenBaseNatively(base: tfl.LayersModel): Promise<string> {
  const mod = await loadNativeKernels();
  if (typeof mod === 'string') return `layer by layer (native kernels: ${mod})`;
  const plan = frozenGraphPlan(base);
  const described = !tf.getKernel(mod.FROZEN_GRAPH, tf.getBackend())
    ? `layer by layer (the ${tf.getBackend()} backend has no ${mod.FROZEN_GRAPH} kernel)`
    : 'unsupported' in plan
      ? `layer by layer for now (${plan.unsupported})`
      : `one native graph of ${plan.nodes.length} oneDNN primitives (batch norms folded, relus and residual sums fused)`;
  if (installed.has(base)) return described;
  installed.add(base);

  const layers = base as unknown as { call: Call };
  const call = layers.call.bind(base);
  let compiled: { graph: NativeFrozenGraph; weights: unknown[] } | undefined;
  let refused: { weights: unknown[] } | undefined;
  const current = () => {
    const weights = signature(base);
    if (compiled && same(compiled.weights, weights)) return compiled.graph;
    if (refused && same(refused.weights, weights)) return undefined;
    compiled?.graph.dispose();
    compiled = undefined;
    const p = frozenGraphPlan(base);
    if ('unsupported' in p) {
      // Not expressible (batch norms in training mode): the layers run until that changes.
      refused = { weights };
      return undefined;
    }
    compiled = { graph: new mod.FrozenGraph(p.nodes, p.inputShape), weights };
    return compiled.graph;
  };
  layers.call = (inputs, kwargs) => {
    if (base.trainable || !tf.getKernel(mod.FROZEN_GRAPH, tf.getBackend())) return call(inputs, kwargs);
    const graph = current();
    if (!graph) return call(inputs, kwargs);
    return [graph.apply((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D)];
  };
  return described;
}
