#include <spng.h>
#include <zlib.h>

#include <string>

#include "../loader/device_choice.h"
#include "../loader/thread_pool.h"
#include "../ops/simd_dispatch.h"
#include "exports.h"

#ifndef XFER_LIBJPEG_TURBO_VERSION
#define XFER_LIBJPEG_TURBO_VERSION "unknown"
#endif

namespace xfer {

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("simd", SimdLevel());
  out.Set("kernels", KernelLevel());
  out.Set("threads", static_cast<double>(DefaultThreadCount()));
  // TurboJPEG 2 has no run-time version call; this is the version CMake found
  // through pkg-config when the addon was built.
  out.Set("libjpegTurbo", XFER_LIBJPEG_TURBO_VERSION);
  out.Set("libspng", spng_version_string());
  out.Set("zlib", zlibVersion());

  const CudaInfo& cuda = CachedCudaInfo();
  Napi::Object c = Napi::Object::New(env);
  c.Set("built", cuda.built);
  c.Set("available", cuda.available);
  Napi::Array devices = Napi::Array::New(env, cuda.devices.size());
  for (size_t i = 0; i < cuda.devices.size(); ++i) {
    const CudaDevice& d = cuda.devices[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", d.name);
    o.Set("computeCapability", std::to_string(d.major) + "." + std::to_string(d.minor));
    o.Set("memoryBytes", static_cast<double>(d.memory_bytes));
    devices.Set(static_cast<uint32_t>(i), o);
  }
  c.Set("devices", devices);
  if (!cuda.reason.empty()) c.Set("reason", cuda.reason);
  // The rule a Loader's device 'auto' applies (loader/device_choice.h).
  c.Set("autoMinBatchPixels", static_cast<double>(kAutoMinBatchPixels));
  out.Set("cuda", c);
  return out;
}

}  // namespace xfer
