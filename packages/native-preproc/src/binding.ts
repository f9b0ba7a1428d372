/**
 * Loads the compiled addon and describes its raw interface. Only this module
 * knows where the `.node` file lives; everything above it works with the
 * typed {@link NativeBinding}.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

export interface RawInfo {
  simd: string;
  threads: number;
  libjpegTurbo: string;
  libspng: string;
  cuda: {
    built: boolean;
    available: boolean;
    devices: Array<{ name: string; computeCapability: string; memoryBytes: number }>;
    reason?: string;
  };
}

/**
 * The addon's exports (native/binding/exports.h). Arguments are plain values
 * that the caller has already validated; the C++ side only re-checks what it
 * needs for memory safety.
 */
export interface NativeBinding {
  info(): RawInfo;
  decode(source: string | Uint8Array, maxPixels: number): Promise<RawDecodeResult>;
  decodeResizeBatch(
    sources: ReadonlyArray<string | Uint8Array>,
    width: number,
    height: number,
    exact: boolean,
    float32: boolean,
    threads: number,
    maxPixels: number,
  ): Promise<RawBatchResult>;
}

/**
 * Where the addon is looked for. `XFER_NATIVE_BUILD_DIR` points at another
 * cmake-js output directory (the sanitizer build uses `build-asan`).
 */
export function addonPath(): string {
  const buildDir = process.env['XFER_NATIVE_BUILD_DIR'];
  const dir = buildDir ? resolve(packageRoot, buildDir) : join(packageRoot, 'build');
  return join(dir, 'Release', 'xfer_native.node');
}

let cached: NativeBinding | undefined;

/** Loads the addon on first use, so importing the package never throws. */
export function loadBinding(): NativeBinding {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new Error(
      `@xfer/native-preproc: the native addon is not built (${path} is missing): ` +
        'run `npx nx run native-preproc:build`',
    );
  }
  const require = createRequire(import.meta.url);
  try {
    cached = require(path) as NativeBinding;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `@xfer/native-preproc: could not load ${path}: ${reason}. ` +
        'If a shared library is missing, install libturbojpeg and libspng (Debian/Ubuntu: ' +
        'libturbojpeg0 libspng0), then rebuild with `npx nx run native-preproc:build`.',
      { cause: err },
    );
  }
  return cached;
}
