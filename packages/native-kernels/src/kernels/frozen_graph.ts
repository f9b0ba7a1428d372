import { floatsOf, output } from '../backend_data.js';
import { FROZEN_GRAPH, FrozenGraph, graphHandle } from '../frozen_graph.js';
import type { NativeKernel } from './kernel.js';

/** Runs a FrozenGraph (attrs.graph) on x; the graph's input shape is checked here, by name. */
export const frozenGraphKernel: NativeKernel = {
  kernelName: FROZEN_GRAPH,
  run({ inputs, backend, attrs }, native) {
    const { x } = inputs;
    const graph = attrs['graph'] as unknown;
    if (!(graph instanceof FrozenGraph)) throw new TypeError(`${FROZEN_GRAPH}: attrs.graph must be a FrozenGraph`);
    const [n, ...image] = x?.shape ?? [];
    if (!x || x.dtype !== 'float32' || n === undefined || image.join() !== graph.inputShape.join()) {
      throw new RangeError(`${FROZEN_GRAPH}: the input must be float32 [n, ${graph.inputShape.join(', ')}], got ${x?.dtype} [${x?.shape.join(', ')}]`);
    }
    return output(backend, [n, ...graph.outputShape], (y) => native.graphRun(graphHandle(graph), n, floatsOf(backend, x), y));
  },
};
