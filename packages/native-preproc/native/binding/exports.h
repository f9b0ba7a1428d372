// The functions the addon exports. Each takes its sources or buffers, then
// one plain options object of values src/ has already validated (the TS
// layer owns defaults and limits, as in sharp); enum-valued options are their
// names (enum_names.h). The C++ side re-checks only what it needs to stay
// memory-safe (options.h). A source is a path string, a Uint8Array or a byte
// range { path, offset, length, deflated, size }.
#pragma once

#include <napi.h>

namespace xfer {

// info(): { simd, threads, libjpegTurbo, libspng, zlib, cuda: {...} }
Napi::Value Info(const Napi::CallbackInfo& info);

// decode(source, { maxPixels })
//   -> Promise<{ data: ArrayBuffer, width, height, warnings } | { code, message }>
Napi::Value Decode(const Napi::CallbackInfo& info);

// decodeResizeBatch(sources, { width, height, mode, dtype, threads, maxPixels })
//   -> Promise<{ data: ArrayBuffer, ok: Uint8Array, failures: {index, code, message}[], warnings }>
Napi::Value DecodeResizeBatch(const Napi::CallbackInfo& info);

// augment(pixels: Uint8Array, { width, height, flipHorizontal, flipVertical, angle, fill, fillValue,
//         interpolation, scale, offset, dtype }) -> Promise<ArrayBuffer>
Napi::Value Augment(const Napi::CallbackInfo& info);

// augmentParams({ seed, epoch, index, flip, rotation, fill, fillValue, interpolation })
//   -> { flipHorizontal, flipVertical, angle }
Napi::Value AugmentParams(const Napi::CallbackInfo& info);

// epochOrder({ count, shuffle, seed, epoch }) -> Uint32Array
Napi::Value EpochOrderJs(const Napi::CallbackInfo& info);

// benchDecodeOnly(sources, { width, height, mode, threads, maxPixels })
//   -> Promise<{ ms, images, failures, decodedPixels }>
Napi::Value BenchDecodeOnly(const Napi::CallbackInfo& info);

// Diagnostics (fused_worker.cc), for tests and tools/gpu-check:
// fusedBatch(pixels: Uint8Array, images: Float64Array (offset, width, height, flipH, flipV, angle per
//            image), { device: 'cpu' | 'cuda', width, height, fill, fillValue, interpolation, scale,
//            offset, dtype, repeats })
//   -> Promise<{ data: ArrayBuffer, timing?: { h2dMs, kernelMs, d2hMs, inputBytes } }>
Napi::Value FusedBatch(const Napi::CallbackInfo& info);
// cudaCopyBench({ h2dBytes, d2dBytes, repeats }) -> { pageableH2dMs, pinnedH2dMs, d2dMs }; throws without CUDA.
Napi::Value CudaCopyBench(const Napi::CallbackInfo& info);

// class NativeLoader (loader_wrap.cc): new NativeLoader(sources, labels: Int32Array, options);
// startEpoch(epoch) -> generation; next(generation) -> Promise<result>; release(slot);
// slotBuffer(slot) -> ArrayBuffer; stats(); length(); device(); close() -> Promise<void>
Napi::Function DefineLoader(Napi::Env env);

}  // namespace xfer
