/**
 * Loads the compiled addon and describes its raw interface. Only this module
 * knows where the `.node` file lives; everything above it works with the
 * typed {@link NativeBinding}.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { FillMode, Interpolation, ValidatedAugment, ValidatedRandomAugment } from './augment_options.js';
import type { Dtype, ValidatedBatchOptions, ValidatedDecodeTarget } from './decode_options.js';
import type { ValidatedLoaderOptions } from './loader_options.js';
import type { RawSource } from './sources.js';

/** The package root: one level above both `src/` (tests) and `dist/` (built). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Result of the raw `decode` call: pixels, or a typed failure (never a rejection for bad data). */
export type RawDecodeResult =
  | { data: ArrayBuffer; width: number; height: number; warnings: number; code?: undefined }
  | { code: string; message: string };

export interface RawBatchResult {
  data: ArrayBuffer;
  ok: Uint8Array;
  failures: Array<{ index: number; code: string; message: string }>;
  warnings: number;
}

/** Which hand-written CPU kernels run (see NativeInfo.kernels). */
export type KernelLevel = 'avx512' | 'avx2' | 'portable';

export interface RawInfo {
  simd: string;
  kernels: KernelLevel;
  threads: number;
  libjpegTurbo: string;
  libspng: string;
  zlib: string;
  cuda: {
    built: boolean;
    available: boolean;
    devices: Array<{ name: string; computeCapability: string; memoryBytes: number }>;
    reason?: string;
    autoMinBatchPixels: number;
  };
}

/** What the native loader's next() resolves to. */
export type RawNextResult =
  | { kind: 'batch'; slot: number; count: number; sequence: number; labels: Int32Array; indices: Int32Array }
  | { kind: 'end' | 'superseded' | 'closed' }
  | { kind: 'error'; index: number; code: string; message: string }
  | { kind: 'fatal' | 'stuck'; message: string };

export interface RawLoaderStats {
  images: number;
  decoded: number;
  perStageMs: { read: number; decode: number; resize: number; augment: number; gpu: number; wait: number };
  imagesPerSec: number;
  cachedImages: number;
  cacheBytes: number;
  cacheReused: boolean;
  skipped: Array<{ index: number; code: string; message: string }>;
  ring: { slots: number; free: number; held: number; slotBytes: number; memory: string };
  threads: number;
}

/** The native half of a Loader (native/binding/loader_wrap.cc). */
export interface NativeLoaderHandle {
  startEpoch(epoch: number): number;
  next(generation: number): Promise<RawNextResult>;
  release(slot: number): boolean;
  slotBuffer(slot: number): ArrayBuffer;
  stats(): RawLoaderStats;
  length(): { known: boolean; batches: number; good: number; failed: number };
  device(): { kind: 'cpu' | 'cuda'; reason: string };
  close(): Promise<void>;
}

/** fusedBatch's options: the batch's output and the warp every image shares. */
export interface FusedBatchOptions {
  /** 'cpu': the kernel's maths on this CPU; 'cuda': through the GPU stage the Loader uses. */
  device: 'cpu' | 'cuda';
  width: number;
  height: number;
  fill: FillMode;
  fillValue: number;
  interpolation: Interpolation;
  scale: number;
  offset: number;
  dtype: Dtype;
  repeats: number;
}

/**
 * The addon's exports (native/binding/exports.h). Each takes its sources or
 * buffers, then one plain options object of values the caller has already
 * validated, enums by name; the C++ side only re-checks what it needs for
 * memory safety.
 */
export interface NativeBinding {
  info(): RawInfo;
  decode(source: RawSource, options: { maxPixels: number }): Promise<RawDecodeResult>;
  decodeResizeBatch(sources: ReadonlyArray<RawSource>, options: ValidatedBatchOptions): Promise<RawBatchResult>;
  augment(pixels: Uint8Array, options: ValidatedAugment): Promise<ArrayBuffer>;
  augmentParams(
    options: ValidatedRandomAugment & { seed: number; epoch: number; index: number },
  ): { flipHorizontal: boolean; flipVertical: boolean; angle: number };
  epochOrder(options: { count: number; shuffle: boolean; seed: number; epoch: number }): Uint32Array;
  benchDecodeOnly(
    sources: ReadonlyArray<RawSource>,
    options: ValidatedDecodeTarget,
  ): Promise<{ ms: number; images: number; failures: number; decodedPixels: number }>;
  /**
   * Diagnostics for tests and tools/gpu-check (native/binding/fused_worker.cc):
   * the fused batch maths (native/cuda/fused_pixel.h) on decoded images of any
   * sizes packed in `pixels`, on this CPU or through the GPU stage the Loader
   * uses (rejects without a device). `images` holds 6 numbers per image: byte
   * offset, width, height, flipH (0/1), flipV (0/1), angle (radians).
   * Output: NHWC, width x height per image.
   */
  fusedBatch(
    pixels: Uint8Array,
    images: Float64Array,
    options: FusedBatchOptions,
  ): Promise<{ data: ArrayBuffer; timing?: { h2dMs: number; kernelMs: number; d2hMs: number; inputBytes: number } }>;
  /** Best-of-`repeats` plain cudaMemcpy times, for tools/gpu-check; throws without a device. */
  cudaCopyBench(options: { h2dBytes: number; d2dBytes: number; repeats: number }): {
    pageableH2dMs: number;
    pinnedH2dMs: number;
    d2dMs: number;
  };
  NativeLoader: new (
    sources: ReadonlyArray<RawSource>,
    labels: Int32Array,
    options: ValidatedLoaderOptions,
  ) => NativeLoaderHandle;
}

const ADDON = 'xfer_native.node';

/**
 * Where the addon is looked for: `XFER_NATIVE_BUILD_DIR`, another cmake-js output directory (the
 * sanitizer build uses `build-asan`); else the build from source, `build/Release`, when there is
 * one; else the prebuilt binary the packed package carries for this platform, under
 * `prebuilds/<platform>-<arch>/` (linux-x64 only, with libturbojpeg beside it).
 */
export function addonPath(): string {
  const buildDir = process.env['XFER_NATIVE_BUILD_DIR'];
  if (buildDir) return join(resolve(packageRoot, buildDir), 'Release', ADDON);
  const built = join(packageRoot, 'build', 'Release', ADDON);
  return existsSync(built) ? built : join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`, ADDON);
}

/** What a build from source needs, for the messages of a missing or unloadable addon. */
const BUILD_FROM_SOURCE =
  `build it from source with \`npm run build:native\` in ${packageRoot}. That needs CMake, a C++17 compiler, ` +
  'pkg-config and libjpeg-turbo, libspng and zlib with their headers: Debian/Ubuntu `apt-get install ' +
  'build-essential cmake pkg-config libturbojpeg0-dev libspng-dev zlib1g-dev`, Fedora `dnf install gcc-c++ ' +
  'cmake pkgconf turbojpeg-devel libspng-devel zlib-devel`, Homebrew `brew install cmake pkg-config jpeg-turbo libspng`';

let cached: NativeBinding | undefined;

/** Loads the addon on first use, so importing the package never throws. */
export function loadBinding(): NativeBinding {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new Error(
      `@xfer/native-preproc: no native addon for ${process.platform}-${process.arch} (${path} is missing): ` +
        BUILD_FROM_SOURCE,
    );
  }
  const require = createRequire(import.meta.url);
  try {
    cached = require(path) as NativeBinding;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `@xfer/native-preproc: could not load ${path}: ${reason}. A build from source needs libjpeg-turbo ` +
        'and libspng at run time (Debian/Ubuntu: libturbojpeg0 libspng0; Fedora: turbojpeg libspng; ' +
        `Homebrew: jpeg-turbo libspng). Otherwise ${BUILD_FROM_SOURCE}`,
      { cause: err },
    );
  }
  return cached;
}

let threads: number | undefined;

/** info().threads, asked once: the worker count of a call that names none. */
export function defaultThreads(): number {
  threads ??= loadBinding().info().threads;
  return threads;
}
