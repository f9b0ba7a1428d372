#include <napi.h>

#include "exports.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, xfer::Info, "info"));
  exports.Set("decode", Napi::Function::New(env, xfer::Decode, "decode"));
  exports.Set("decodeResizeBatch", Napi::Function::New(env, xfer::DecodeResizeBatch, "decodeResizeBatch"));
  return exports;
}

}  // namespace

NODE_API_MODULE(xfer_native, Init)
