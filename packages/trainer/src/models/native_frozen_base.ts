import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadNativeKernels, type NativeFrozenGraph, type NativeFrozenGraphClass } from '../backend/native_kernels.js';
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

/** A base's graph as last compiled, or why it has none, for the weights it was built from. */
interface Compiled {
  weights: unknown[];
  graph?: NativeFrozenGraph;
  /** The graph's node count, for the log. */
  nodes?: number;
  unsupported?: string;
}

/** Per base: its compiled state; present once its call is patched. */
const compiledOf = new WeakMap<tfl.LayersModel, { state?: Compiled }>();

/** `state` if the base is unchanged since, else the base compiled afresh (the old graph freed). */
function compile(base: tfl.LayersModel, graphOf: NativeFrozenGraphClass, state: Compiled | undefined): Compiled {
  const weights = signature(base);
  if (state && same(state.weights, weights)) return state;
  state?.graph?.dispose();
  const plan = frozenGraphPlan(base);
  // Not expressible (say, batch norms in training mode): the layers run until the base changes.
  if ('unsupported' in plan) return { weights, unsupported: plan.unsupported };
  return { weights, graph: new graphOf(plan.nodes, plan.inputShape), nodes: plan.nodes.length };
}

/**
 * Runs `base` as one native frozen graph (@xfer/native-kernels' FrozenGraph) whenever it is frozen
 * (not trainable) with its batch norms in inference mode, on a backend that has the graph kernel
 * (cpu with the native kernels): batch norms folded into the convolutions, relus and residual
 * sums fused into them, activations kept in oneDNN's layouts between layers, one call per batch.
 * That is the frozen phase's forward pass, its validation and the feature cache's extraction.
 * Otherwise, and while the base trains, its layers run as before. The graph is compiled here and
 * again whenever the base's weights change (a checkpoint, a weights file).
 *
 * Resolves to a line for the run's log: what the frozen base runs as, or why not natively.
 * Installing twice only recompiles what changed.
 */
export async function runFrozenBaseNatively(base: tfl.LayersModel): Promise<string> {
  const mod = await loadNativeKernels();
  if (typeof mod === 'string') return `layer by layer (native kernels: ${mod})`;
  const hasKernel = () => tf.getKernel(mod.FROZEN_GRAPH, tf.getBackend()) !== undefined;
  let entry = compiledOf.get(base);
  if (!entry) {
    const own = { state: undefined as Compiled | undefined };
    const layers = base as unknown as { call: Call };
    const call = layers.call.bind(base);
    layers.call = (inputs, kwargs) => {
      if (base.trainable || !hasKernel()) return call(inputs, kwargs);
      own.state = compile(base, mod.FrozenGraph, own.state);
      if (!own.state.graph) return call(inputs, kwargs);
      return [own.state.graph.apply((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D)];
    };
    compiledOf.set(base, own);
    entry = own;
  }
  if (!hasKernel()) return `layer by layer (the ${tf.getBackend()} backend has no ${mod.FROZEN_GRAPH} kernel)`;
  const state = (entry.state = compile(base, mod.FrozenGraph, entry.state));
  if (state.unsupported) return `layer by layer for now (${state.unsupported})`;
  return `one native graph of ${state.nodes} oneDNN primitives (batch norms folded, relus and residual sums fused)`;
}
