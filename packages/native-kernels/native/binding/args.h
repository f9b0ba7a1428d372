// Argument unpacking for the binding: typed arrays in, raw pointers out, with the length checks
// that keep the C++ from reading or writing past a buffer. Validation of meaning lives in TS.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace xk {

/** The float data of argument i, which must be a Float32Array of exactly `expected` elements. */
inline float* floats(const Napi::CallbackInfo& info, size_t i, int64_t expected, const char* name) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Float32Array");
  }
  auto a = info[i].As<Napi::Float32Array>();
  if (static_cast<int64_t>(a.ElementLength()) != expected) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " has " + std::to_string(a.ElementLength()) +
                                                 " elements, expected " + std::to_string(expected));
  }
  return a.Data();
}

/** Like floats(), but null/undefined gives nullptr. */
inline float* optional_floats(const Napi::CallbackInfo& info, size_t i, int64_t expected, const char* name) {
  if (info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  return floats(info, i, expected, name);
}

/** Argument i as a list of integers (a plain array of numbers or an Int32Array). */
inline std::vector<int64_t> ints(const Napi::CallbackInfo& info, size_t i, size_t count, const char* name) {
  if (!info[i].IsArray()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an array of integers");
  auto a = info[i].As<Napi::Array>();
  if (a.Length() != count) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must have " + std::to_string(count) + " entries");
  }
  std::vector<int64_t> out(count);
  for (uint32_t k = 0; k < count; ++k) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an array of integers");
    out[k] = v.As<Napi::Number>().Int64Value();
  }
  return out;
}

}  // namespace xk
