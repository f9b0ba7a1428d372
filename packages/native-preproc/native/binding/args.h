// Defensive argument reads. The TS wrapper has already validated everything
// with user-facing messages; these checks exist so that a direct caller of
// the raw addon gets a TypeError instead of undefined behaviour.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace xfer {

inline double NumberArg(const Napi::CallbackInfo& info, size_t i, double lo, double hi, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  }
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= lo && v <= hi) || std::floor(v) != v) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be an integer in range");
  }
  return v;
}

inline double FiniteArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  }
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v)) throw Napi::RangeError::New(info.Env(), std::string(name) + " must be finite");
  return v;
}

// A finite number that float32 can hold: converting a larger double to float
// is undefined behaviour.
inline float FloatArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const double v = FiniteArg(info, i, name);
  if (std::fabs(v) > static_cast<double>(std::numeric_limits<float>::max())) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " is outside the float32 range");
  }
  return static_cast<float>(v);
}

// Argument i as a typed array of element type `type` (e.g. napi_uint8_array
// for Napi::Uint8Array); `kind` names that type in the message.
template <typename T>
T TypedArrayArg(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type type, const char* name,
                const char* kind) {
  if (i >= info.Length() || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != type) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a " + kind);
  }
  return info[i].As<T>();
}

inline bool BoolArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsBoolean()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a boolean");
  }
  return info[i].As<Napi::Boolean>().Value();
}

}  // namespace xfer
