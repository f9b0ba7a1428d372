// Every enum that crosses the JS boundary, by name, in one place: options
// arrive as the names src/ validated (fill: 'reflect'), results leave as
// names (code: 'TOO_LARGE'), never as bare integers, so the TS unions and
// these tables only have to agree on spelling.
#pragma once

#include <napi.h>

#include <cstddef>
#include <string>

#include "../loader/loader.h"

namespace xfer {

template <typename T>
struct EnumName {
  const char* name;
  T value;
};

// Keras RandomFlip's modes as the two axes the warp flips.
struct FlipAxes {
  bool horizontal;
  bool vertical;
};

// The value is LoaderConfig::exact / BatchSpec::exact.
inline constexpr EnumName<bool> kModeNames[] = {{"fast", false}, {"exact", true}};
inline constexpr EnumName<OutputType> kDtypeNames[] = {{"uint8", OutputType::kUint8},
                                                       {"float32", OutputType::kFloat32}};
inline constexpr EnumName<FillMode> kFillNames[] = {{"reflect", FillMode::kReflect},
                                                    {"wrap", FillMode::kWrap},
                                                    {"constant", FillMode::kConstant},
                                                    {"nearest", FillMode::kNearest}};
inline constexpr EnumName<Interpolation> kInterpolationNames[] = {{"bilinear", Interpolation::kBilinear},
                                                                  {"nearest", Interpolation::kNearest}};
inline constexpr EnumName<FlipAxes> kFlipNames[] = {{"none", {false, false}},
                                                    {"horizontal", {true, false}},
                                                    {"vertical", {false, true}},
                                                    {"both", {true, true}}};
inline constexpr EnumName<CacheKind> kCacheNames[] = {{"none", CacheKind::kNone},
                                                      {"memory", CacheKind::kMemory},
                                                      {"disk", CacheKind::kDisk}};
// The value is LoaderConfig::throw_on_error.
inline constexpr EnumName<bool> kOnErrorNames[] = {{"skip", false}, {"throw", true}};
inline constexpr EnumName<DeviceRequest> kDeviceNames[] = {{"auto", DeviceRequest::kAuto},
                                                           {"cpu", DeviceRequest::kCpu},
                                                           {"cuda", DeviceRequest::kCuda}};
// Where work runs once chosen; the value says "on the GPU".
inline constexpr EnumName<bool> kProcessorNames[] = {{"cpu", false}, {"cuda", true}};
inline constexpr EnumName<ErrorCode> kErrorCodeNames[] = {{"OK", ErrorCode::kOk},
                                                          {"EMPTY", ErrorCode::kEmpty},
                                                          {"TRUNCATED", ErrorCode::kTruncated},
                                                          {"UNSUPPORTED_FORMAT", ErrorCode::kUnsupportedFormat},
                                                          {"CORRUPT", ErrorCode::kCorrupt},
                                                          {"TOO_LARGE", ErrorCode::kTooLarge},
                                                          {"IO", ErrorCode::kIo}};
inline constexpr EnumName<NextResult::Kind> kNextKindNames[] = {{"batch", NextResult::Kind::kBatch},
                                                                {"end", NextResult::Kind::kEnd},
                                                                {"error", NextResult::Kind::kError},
                                                                {"superseded", NextResult::Kind::kSuperseded},
                                                                {"closed", NextResult::Kind::kClosed},
                                                                {"fatal", NextResult::Kind::kFatal},
                                                                {"stuck", NextResult::Kind::kStuck}};

// The value named by `value`; a TypeError naming `option` and every allowed
// name otherwise.
template <typename T, size_t N>
T ValueOf(const EnumName<T> (&names)[N], Napi::Value value, const std::string& option) {
  std::string got = "a " + std::string(value.IsUndefined() ? "missing value" : "non-string");
  if (value.IsString()) {
    const std::string s = value.As<Napi::String>().Utf8Value();
    for (const EnumName<T>& n : names) {
      if (s == n.name) return n.value;
    }
    got = "'" + s + "'";
  }
  std::string allowed;
  for (size_t i = 0; i < N; ++i) allowed += std::string(i == 0 ? "'" : ", '") + names[i].name + "'";
  throw Napi::TypeError::New(value.Env(), option + " must be one of " + allowed + ", got " + got);
}

// Every table lists every value of its enum, so the fallback is unreachable.
template <typename T, size_t N>
const char* NameOf(const EnumName<T> (&names)[N], T value) {
  for (const EnumName<T>& n : names) {
    if (n.value == value) return n.name;
  }
  return names[0].name;
}

}  // namespace xfer
