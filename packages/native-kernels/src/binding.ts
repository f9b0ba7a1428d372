/**
 * Loads the compiled addon and describes its raw interface. Only this module knows where the
 * `.node` file lives.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: one level above both `src/` (tests) and `dist/` (built). */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Activations the addon fuses into a forward convolution (native/ops/conv.h), by tfjs name. */
export const NATIVE_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2 } as const;
export type NativeActivation = (typeof NATIVE_ACTIVATIONS)[keyof typeof NATIVE_ACTIVATIONS];

/**
 * [n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight, groups]
 * (native/ops/conv.h ConvGeometry).
 */
export type ConvGeometryArray = number[];

/** [n, ih, iw, c, oh, ow, kh, kw, sh, sw, dh, dw, padTop, padLeft] (native/ops/pool.h). */
export type PoolGeometryArray = number[];

/** What the addon reports about itself. */
export interface NativeInfo {
  /** oneDNN version, e.g. "2.6.3". */
  onednn: string;
  /** The instruction set oneDNN's JIT targets on this CPU. */
  isa: string;
  /** OpenMP threads the kernels use. */
  threads: number;
  /** Whether this CPU computes bf16 natively (AVX512-BF16 or AMX), which mixed_bfloat16 needs. */
  bf16: boolean;
  /** What convolutions and matmuls compute in now. */
  precision: Precision;
}

/**
 * What convolutions and matmuls compute in: 'float32', or 'mixed_bfloat16' (Keras' policy name):
 * they read activations and weights as bf16 and accumulate and write float32, so every tensor
 * outside them (weights, optimizer state, batch-norm statistics, logits, the loss) stays float32.
 */
export type Precision = 'float32' | 'mixed_bfloat16';

/** One primitive the addon has created, with the oneDNN implementation that runs it. */
export interface NativePrimitive {
  kind: string;
  key: string;
  impl: string;
}

/** A frozen graph the addon holds (native/ops/graph.h), freed by graphDispose or collection. */
export type GraphHandle = { readonly __brand: 'FrozenGraph' };

/** One layer of a frozen graph as the addon takes it; see {@link FrozenGraphNode}. */
export interface GraphNodeSpec {
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

/** The addon's exports (native/binding/addon.cc). Every output array is written in place. */
export interface NativeBinding {
  info(): NativeInfo;
  primitives(): NativePrimitive[];
  /** Throws, changing nothing, where the CPU cannot compute bf16 natively. */
  setPrecision(precision: Precision): void;
  convForward(g: ConvGeometryArray, x: Float32Array, filter: Float32Array, bias: Float32Array | null, act: NativeActivation, y: Float32Array): void;
  convBackwardData(g: ConvGeometryArray, dy: Float32Array, filter: Float32Array, dx: Float32Array): void;
  convBackwardFilter(g: ConvGeometryArray, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  /**
   * Both gradients of a dense convolution with filter · scale (per output channel) as its filter,
   * dy read once: dx through `folded` (= filter · scale), dw = dF · scale and
   * wdot[o] = Σ filter[..., o] · dF[..., o], where dF is the gradient of the folded filter.
   */
  convBackwardFolded(
    g: ConvGeometryArray,
    x: Float32Array,
    dy: Float32Array,
    filter: Float32Array,
    folded: Float32Array,
    scale: Float32Array,
    dx: Float32Array,
    dw: Float32Array,
    wdot: Float32Array,
  ): void;
  batchNorm(
    x: Float32Array,
    channels: number,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    offset: Float32Array | null,
    epsilon: number,
    y: Float32Array,
  ): void;
  maxPool(g: PoolGeometryArray, x: Float32Array, y: Float32Array): void;
  maxPoolGrad(g: PoolGeometryArray, x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /**
   * op: 0 add, 1 sub, 2 mul, 3 div. One operand has out's size; the other has it too, or one
   * element, or is out's shape with one run of axes set to 1, `inner` being the size of the axes
   * after that run (its rows of `inner` repeat over the run).
   */
  binary(op: number, a: Float32Array, b: Float32Array, inner: number, out: Float32Array): void;
  /** op: 0 relu, 1 step (alpha), 2 sqrt, 3 square. */
  unary(op: number, x: Float32Array, alpha: number, out: Float32Array): void;
  /** shape: [batchA, batchB, m, k, n, transposeA (0/1), transposeB (0/1)]; a batch of 1 broadcasts. */
  batchMatMul(shape: number[], a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** dx = dy where x > 0, else 0. */
  reluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  /** out[c] = sum over rows of dy * (x - mean[c]), with c the last axis. */
  sumCentredProduct(dy: Float32Array, x: Float32Array, mean: Float32Array, out: Float32Array): void;
  /** out[c] = sum over r of x[r * cols + c]. */
  sumRows(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** Per channel of the last axis: the mean and the biased variance over all other axes. */
  batchMoments(x: Float32Array, mean: Float32Array, variance: Float32Array): void;
  /** The gradient of training-mode batch norm (native/ops/batch_norm.h); every per-channel array has C values. */
  batchNormTrainingGrad(
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array,
    dmean: Float32Array,
    dvariance: Float32Array,
    epsilon: number,
    dx: Float32Array,
    dscale: Float32Array,
    doffset: Float32Array,
  ): void;
  /** out[o * inner + i] = mean over r of x[(o * reduce + r) * inner + i]. */
  meanAxes(x: Float32Array, outer: number, reduce: number, inner: number, out: Float32Array): void;
  /**
   * Keras' Adam over every variable at once (native/ops/adam.h): seven parallel lists with one
   * array per variable; `step` is [alpha, 1 - beta1, 1 - beta2, epsilon].
   */
  kerasAdam(
    step: [number, number, number, number],
    gradients: Float32Array[],
    m: Float32Array[],
    v: Float32Array[],
    values: Float32Array[],
    mOut: Float32Array[],
    vOut: Float32Array[],
    valuesOut: Float32Array[],
  ): void;
  /** Validates and copies the nodes; throws a RangeError naming the first bad node. */
  graphCreate(nodes: GraphNodeSpec[], inputShape: [number, number, number]): GraphHandle;
  graphOutputShape(graph: GraphHandle): [number, number, number];
  /** y = the graph on n images x (NHWC float32). */
  graphRun(graph: GraphHandle, n: number, x: Float32Array, y: Float32Array): void;
  graphDispose(graph: GraphHandle): void;
}

const ADDON = 'xfer_kernels.node';

/**
 * Where the addon is looked for: `XFER_NATIVE_BUILD_DIR`, another cmake-js output directory (the
 * sanitizer build uses `build-asan`); else the build from source, `build/Release`, when there is
 * one; else the prebuilt binary the packed package carries, `prebuilds/<platform>-<arch>/`
 * (linux-x64 only, linked against the system's libdnnl.so.2).
 */
export function addonPath(): string {
  const buildDir = process.env['XFER_NATIVE_BUILD_DIR'];
  if (buildDir) return join(resolve(packageRoot, buildDir), 'Release', ADDON);
  const built = join(packageRoot, 'build', 'Release', ADDON);
  return existsSync(built) ? built : join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`, ADDON);
}

/** What a build from source needs, for the messages of a missing or unloadable addon. */
const BUILD_FROM_SOURCE =
  `build it from source with \`npm run build:native\` in ${packageRoot}. That needs CMake, a C++17 compiler ` +
  'with OpenMP and oneDNN 2.x with its headers (the kernels use the oneDNN 2 API): Debian/Ubuntu `apt-get ' +
  'install build-essential cmake libdnnl-dev`, Fedora `dnf install gcc-c++ cmake onednn-devel`, Homebrew ' +
  '`brew install cmake libomp onednn`';

let cached: NativeBinding | undefined;

/** Loads the addon on first use, so importing the package never throws. */
export function loadBinding(): NativeBinding {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new Error(
      `@xfer/native-kernels: no native addon for ${process.platform}-${process.arch} (${path} is missing): ${BUILD_FROM_SOURCE}`,
    );
  }
  // libgomp reads this when the addon loads it. By default its idle threads spin between
  // parallel regions, which on a small machine starves the JS thread and the data loader's
  // threads between kernels (a small model's training ran 3-4x slower than on wasm). Passive
  // threads sleep instead; a value set by the user wins.
  process.env['OMP_WAIT_POLICY'] ??= 'PASSIVE';
  try {
    cached = createRequire(import.meta.url)(path) as NativeBinding;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `@xfer/native-kernels: could not load ${path}: ${reason}. It needs oneDNN 2.x (libdnnl.so.2) at run ` +
        `time: Debian/Ubuntu \`apt-get install libdnnl2\`. Otherwise ${BUILD_FROM_SOURCE}`,
      { cause: err },
    );
  }
  return cached;
}
