/**
 * The optional `@xfer/native-kernels` package: oneDNN kernels for tfjs's cpu backend. It is
 * imported dynamically through a computed specifier, so the trainer neither builds nor runs
 * against it when it is absent, and everything then works as before.
 */

/** A compiled frozen network (@xfer/native-kernels' FrozenGraph). */
export interface NativeFrozenGraph {
  apply(x: Tensor4D): Tensor4D;
  dispose(): void;
}

/** @xfer/native-kernels' FrozenGraph constructor. */
export type NativeFrozenGraphClass = new (nodes: FrozenGraphNode[], inputShape: [number, number, number]) => NativeFrozenGraph;

/** The part of @xfer/native-kernels the trainer uses. */
interface NativeKernelsModule {
  registerNativeKernels(): readonly string[];
  info(): { onednn: string; isa: string; threads: number };
  setPrecision(precision: 'float32' | 'mixed_bfloat16'): void;
  FrozenGraph: NativeFrozenGraphClass;
  FROZEN_GRAPH: string;
}

import type { Tensor4D } from '@tensorflow/tfjs-core';
import type { FrozenGraphNode } from '../models/frozen_graph_nodes.js';

const SPECIFIER = '@xfer/native-kernels';

let loaded: Promise<NativeKernelsModule | string> | undefined;

/**
 * The package with its addon loaded, or why not ("not installed", a missing libdnnl, or
 * XFER_NATIVE_KERNELS=off, which turns it off for comparisons).
 */
export function loadNativeKernels(): Promise<NativeKernelsModule | string> {
  loaded ??= (async () => {
    if (process.env['XFER_NATIVE_KERNELS'] === 'off') return 'turned off (XFER_NATIVE_KERNELS=off)';
    try {
      const mod = (await import(SPECIFIER)) as NativeKernelsModule;
      mod.info(); // loads the addon: a package without a working build counts as absent
      return mod;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_MODULE_NOT_FOUND') return 'not installed';
      const msg = e instanceof Error ? e.message : String(e);
      return msg.split('\n')[0] ?? msg;
    }
  })();
  return loaded;
}

/** One line on the kernels in use, e.g. "oneDNN 2.6.3 avx512_core_bf16, 2 threads". */
export function describeNativeKernels(mod: NativeKernelsModule): string {
  const i = mod.info();
  return `oneDNN ${i.onednn} ${i.isa}, ${i.threads} threads`;
}
