/**
 * @xfer/native-preproc: decode (libjpeg-turbo, libspng) and TF-exact resize of
 * image batches in native worker threads, one native call per batch.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { defaultThreads, loadBinding, packageRoot, type KernelLevel } from './binding.js';
import { validateBatchOptions, validateMaxPixels } from './decode_options.js';
import { DecodeError, toDecodeErrorCode, type SkippedSource } from './errors.js';
import type { Image } from './image.js';
import { sourceName, validateSource, validateSources, type Source } from './sources.js';

export type { KernelLevel } from './binding.js';
export { CudaUnavailableError, DecodeError, type DecodeErrorCode, type SkippedSource } from './errors.js';
export type { FloatImage, Image } from './image.js';
export type { FillMode, FlipMode, Interpolation, Normalize } from './augment_options.js';
export type { Device } from './loader_options.js';
export type { ByteRange, Source } from './sources.js';
export { MAX_SIDE } from './limits.js';
export { augment, augmentParams, epochOrder, type AugmentDraw, type AugmentOptions, type RandomAugment } from './augment.js';
export {
  Loader,
  benchDecodeOnly,
  type Batch,
  type DeviceChoice,
  type LoaderOptions,
  type LoaderStats,
} from './loader.js';

/** CUDA support: whether it was compiled in and whether a device can be used now. */
export interface CudaInfo {
  /** The addon was compiled with nvcc. */
  built: boolean;
  /** At least one usable CUDA device was found at run time. */
  available: boolean;
  devices: Array<{ name: string; computeCapability: string; memoryBytes: number }>;
  /**
   * Why CUDA is not available: "no NVIDIA driver (libcuda.so.1 is not installed)", a driver too old
   * for the build (with both CUDA versions), "no CUDA-capable device is detected", or cudart's words.
   */
  reason?: string;
  /**
   * A Loader with device 'auto' uses CUDA (when available) for batches of at
   * least this many output pixels: batchSize x width x height.
   */
  autoMinBatchPixels: number;
}

/** What this build of the addon offers on this machine. */
export interface NativeInfo {
  /** This package's version. */
  version: string;
  /** SIMD level the CPU offers and the build uses: 'avx2', 'sse4.2', 'sse2', 'neon' or 'none'. */
  simd: string;
  /**
   * Which hand-written kernels run: 'avx2' (resize rows, rotation) when the
   * CPU has AVX2; 'avx512' when it also has AVX-512 F/DQ/VL/BW/VBMI (the
   * rotation's planning and the resize's horizontal pass); else 'portable'
   * (the compiler's loops). All give the same bits. The environment variable
   * XFER_KERNELS=avx2 or =portable caps the level.
   */
  kernels: KernelLevel;
  /** Default worker count (hardware concurrency). */
  threads: number;
  /** Codec library versions (libjpeg-turbo as found at build time, libspng at run time). */
  codecs: { libjpegTurbo: string; libspng: string };
  /**
   * The zlib that inflates deflated byte ranges, at run time. Inside Node this
   * is Node's bundled zlib (the process exports it and the addon binds to it),
   * which may differ from the zlib1g-dev version the addon was built against.
   */
  zlib: string;
  cuda: CudaInfo;
}

/** Options of {@link decodeResizeBatch}. */
export interface ResizeBatchOptions {
  /** Output size as [width, height]; each side an integer from 1 to 16384. */
  size: [width: number, height: number];
  /**
   * 'fast' (default): DCT-domain downscaled JPEG decode then bilinear.
   * 'exact': full-scale decode then bilinear, matching TF2 tf.image.resize.
   */
  mode?: 'fast' | 'exact';
  /** 'uint8' (default; rounded to nearest) or 'float32' (0..255, unrounded). */
  dtype?: 'uint8' | 'float32';
  /** Worker threads for this batch, 1 to 256; default info().threads. */
  threads?: number;
  /** Refuse images whose header declares more pixels than this; default 100e6. */
  maxPixels?: number;
}

/** The output of {@link decodeResizeBatch}. */
export interface ResizedBatch {
  /** count*height*width*3 values, NHWC; failed slots are zero. */
  data: Uint8Array | Float32Array;
  count: number;
  width: number;
  height: number;
  /** 1 where slot i decoded, 0 where it failed. */
  ok: Uint8Array;
  /** The sources that could not be decoded (their slots in `data` are zero). */
  failures: SkippedSource[];
  /** Images for which libjpeg reported corrupt-data warnings (not fatal; the image is in the batch). */
  warnings: number;
}

let packageVersion: string | undefined;

function version(): string {
  if (packageVersion === undefined) {
    const require = createRequire(import.meta.url);
    packageVersion = (require(join(packageRoot, 'package.json')) as { version: string }).version;
  }
  return packageVersion;
}

/** Describes the addon build and this machine: SIMD, threads, codec versions, CUDA. */
export function info(): NativeInfo {
  const raw = loadBinding().info();
  return {
    version: version(),
    simd: raw.simd,
    kernels: raw.kernels,
    threads: raw.threads,
    codecs: { libjpegTurbo: raw.libjpegTurbo, libspng: raw.libspng },
    zlib: raw.zlib,
    cuda: {
      built: raw.cuda.built,
      available: raw.cuda.available,
      devices: raw.cuda.devices.map((d) => ({ ...d })),
      ...(raw.cuda.reason !== undefined ? { reason: raw.cuda.reason } : {}),
      autoMinBatchPixels: raw.cuda.autoMinBatchPixels,
    },
  };
}

/**
 * Full-scale decode of one image to RGB (for previews and parity tests;
 * training uses decodeResizeBatch). Rejects with DecodeError.
 *
 * @param source - a file path (read off the JS thread), the encoded bytes, or a byte range of a file.
 * @param options.maxPixels - refuse images whose header declares more pixels (default 100e6).
 */
export async function decode(source: Source, options?: { maxPixels?: number }): Promise<Image> {
  const checked = validateSource(source, 'source');
  const maxPixels = validateMaxPixels(options?.maxPixels);
  const raw = await loadBinding().decode(checked, { maxPixels });
  if (raw.code !== undefined) {
    throw new DecodeError(toDecodeErrorCode(raw.code), sourceName(source), raw.message);
  }
  return { data: new Uint8Array(raw.data), width: raw.width, height: raw.height, channels: 3 };
}

/**
 * Decodes and resizes a whole batch in native worker threads: one native call
 * per batch. Never rejects for a bad image: those are reported in `failures`.
 * Rejects only for invalid options. Sources are file paths (read in the worker
 * threads), in-memory bytes (named `<buffer #i>` in failures; do not transfer
 * or detach them until the promise settles) or byte ranges of a file (zip
 * entries, inflated in the worker threads when deflated).
 *
 * The resize is bilinear with half-pixel centres and no antialiasing (TF2
 * `tf.image.resize`). In 'fast' mode a JPEG is first decoded at the smallest
 * DCT scale of 1/8, 1/4, 1/2 or 1 that still covers `size` (the scales
 * libjpeg-turbo decodes with SIMD), so large downscales see a
 * box-filtered, not aliased, image and differ slightly from 'exact'.
 */
export async function decodeResizeBatch(
  sources: ReadonlyArray<Source>,
  options: ResizeBatchOptions,
): Promise<ResizedBatch> {
  const list = validateSources(sources, 'sources');
  const o = validateBatchOptions(options, defaultThreads());
  const raw = await loadBinding().decodeResizeBatch(list, o);

  const data = o.dtype === 'float32' ? new Float32Array(raw.data) : new Uint8Array(raw.data);
  const failures = raw.failures.map((f): SkippedSource => {
    const code = toDecodeErrorCode(f.code);
    return { index: f.index, source: sourceName(sources[f.index] ?? '', f.index), code, reason: `${code}: ${f.message}` };
  });
  return { data, count: list.length, width: o.width, height: o.height, ok: raw.ok, failures, warnings: raw.warnings };
}
