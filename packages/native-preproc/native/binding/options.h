// Reads the one options object a binding call takes. src/ has validated every
// value and owns every limit (src/limits.ts); the checks here only keep a
// direct caller of the raw addon away from undefined behaviour: a number that
// does not fit its C++ type, a side the ops cannot index, a buffer of the
// wrong type.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "enum_names.h"

namespace xfer {

// Every integer a JS number holds exactly.
constexpr double kMaxSafeInteger = 9007199254740991.0;
// The ops index a row with int arithmetic of up to 4 samples a pixel (x * 4),
// so a larger side would overflow it.
constexpr double kMaxIndexableSide = std::numeric_limits<int32_t>::max() / 4;

class Options {
 public:
  // Argument `index`, which must be an object.
  Options(const Napi::CallbackInfo& info, size_t index);

  double Integer(const char* key, double lo, double hi) const;
  uint64_t Count(const char* key, double lo = 0) const { return static_cast<uint64_t>(Integer(key, lo, kMaxSafeInteger)); }
  int Side(const char* key) const { return static_cast<int>(Integer(key, 1, kMaxIndexableSide)); }
  double Finite(const char* key) const;
  // Converting a double beyond float's range to float is undefined behaviour.
  float Float32(const char* key) const;
  bool Bool(const char* key) const;
  std::string String(const char* key) const;

  template <typename T, size_t N>
  T Enum(const char* key, const EnumName<T> (&names)[N]) const {
    return ValueOf(names, object_.Get(key), Name(key));
  }

 private:
  double Number(const char* key) const;
  static std::string Name(const char* key) { return std::string("options.") + key; }

  Napi::Object object_;
};

// Argument i, a method's one integer (an epoch, a slot), within [lo, hi].
double IntegerArg(const Napi::CallbackInfo& info, size_t i, double lo, double hi, const char* name);

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

}  // namespace xfer
