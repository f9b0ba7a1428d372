// The functions the addon exports. Each takes plain, already-validated values
// from src/binding.ts (the TS layer owns defaults and validation, as in
// sharp); the C++ side re-checks only what it needs to stay memory-safe.
#pragma once

#include <napi.h>

namespace xfer {

// info(): { simd, threads, libjpegTurbo, libspng, cuda: {...} }
Napi::Value Info(const Napi::CallbackInfo& info);

// decode(source: string | Uint8Array, maxPixels: number)
//   -> Promise<{ data: ArrayBuffer, width, height, warnings } | { code, message }>
Napi::Value Decode(const Napi::CallbackInfo& info);

// decodeResizeBatch(sources: (string | Uint8Array)[], width, height, exact: boolean,
//                   float32: boolean, threads, maxPixels)
//   -> Promise<{ data: ArrayBuffer, ok: Uint8Array, failures: {index, code, message}[], warnings }>
Napi::Value DecodeResizeBatch(const Napi::CallbackInfo& info);

}  // namespace xfer
