import { engine, type NamedAttrMap, type Tensor4D } from '@tensorflow/tfjs-core';

import { loadBinding, type GraphHandle, type GraphNodeSpec } from './binding.js';

/**
 * One layer of a {@link FrozenGraph}. `inputs` index earlier nodes; -1 is the graph's input.
 * - `conv`: weights in tfjs' layout `[kh, kw, in / groups, outChannels]` (depthwise: groups =
 *   input channels, `[kh, kw, C, multiplier]`), optional `bias`, a second input added as a
 *   residual, then `relu`, in that order; `pad` is `[top, left, bottom, right]`.
 * - `maxPool`: the maximum over each window, padding never chosen (tfjs' 'same' pooling).
 * - `relu`, and `add` of two inputs of one shape.
 */
export type FrozenGraphNode = GraphNodeSpec;

/** The kernel name a frozen graph runs under on the cpu backend, once registerNativeKernels has run. */
export const FROZEN_GRAPH = 'XferFrozenGraph';

const handles = new WeakMap<FrozenGraph, GraphHandle>();

/** The native graph behind `graph`; throws once it was disposed. */
export function graphHandle(graph: FrozenGraph): GraphHandle {
  const h = handles.get(graph);
  if (!h) throw new Error('@xfer/native-kernels: the frozen graph was disposed');
  return h;
}

/**
 * A network whose weights do not change (a pretrained base in inference mode) compiled into one
 * chain of oneDNN primitives: activations stay in the primitives' layouts (bf16 under
 * mixed_bfloat16) between layers, weights are reordered once, and a batch is one native call.
 * The nodes' arrays are copied, so the caller may reuse them.
 */
export class FrozenGraph {
  /** [height, width, channels] of one input image. */
  readonly inputShape: [number, number, number];
  /** [height, width, channels] of one output. */
  readonly outputShape: [number, number, number];

  /** Throws a RangeError naming the first node whose inputs, shapes or weights do not fit. */
  constructor(nodes: FrozenGraphNode[], inputShape: [number, number, number]) {
    const native = loadBinding();
    const handle = native.graphCreate(nodes, inputShape);
    handles.set(this, handle);
    this.inputShape = [...inputShape];
    this.outputShape = native.graphOutputShape(handle);
  }

  /**
   * The graph on a batch `[n, ...inputShape]`, as one tfjs op on the cpu backend (the
   * XferFrozenGraph kernel). It has no gradient: nothing upstream of a frozen graph trains.
   */
  apply(x: Tensor4D): Tensor4D {
    return engine().runKernel(FROZEN_GRAPH, { x }, { graph: this as unknown as NamedAttrMap }) as Tensor4D;
  }

  /** Frees the native weights and primitives now rather than at garbage collection. */
  dispose(): void {
    const h = handles.get(this);
    if (h) loadBinding().graphDispose(h);
    handles.delete(this);
  }
}
