#include <napi.h>

#include "exports.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, xfer::Info, "info"));
  exports.Set("decode", Napi::Function::New(env, xfer::Decode, "decode"));
  exports.Set("decodeResizeBatch", Napi::Function::New(env, xfer::DecodeResizeBatch, "decodeResizeBatch"));
  exports.Set("augment", Napi::Function::New(env, xfer::Augment, "augment"));
  exports.Set("augmentParams", Napi::Function::New(env, xfer::AugmentParams, "augmentParams"));
  exports.Set("epochOrder", Napi::Function::New(env, xfer::EpochOrderJs, "epochOrder"));
  exports.Set("benchDecodeOnly", Napi::Function::New(env, xfer::BenchDecodeOnly, "benchDecodeOnly"));
  exports.Set("fusedBatch", Napi::Function::New(env, xfer::FusedBatch, "fusedBatch"));
  exports.Set("cudaCopyBench", Napi::Function::New(env, xfer::CudaCopyBench, "cudaCopyBench"));
  exports.Set("NativeLoader", xfer::DefineLoader(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(xfer_native, Init)
