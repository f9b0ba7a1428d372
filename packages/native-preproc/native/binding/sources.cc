#include "sources.h"

#include <cmath>
#include <string>

namespace xfer {
namespace {

uint64_t RangeField(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) {
    throw Napi::TypeError::New(o.Env(), std::string("byte range ") + key + " must be a number");
  }
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 9007199254740991.0) || std::floor(d) != d) {
    throw Napi::RangeError::New(o.Env(), std::string("byte range ") + key + " must be a non-negative integer");
  }
  return static_cast<uint64_t>(d);
}

Source ToSource(Napi::Value value, std::vector<Napi::ObjectReference>& keep_alive) {
  Source source;
  if (value.IsString()) {
    source.kind = SourceKind::kPath;
    source.path = value.As<Napi::String>().Utf8Value();
  } else if (value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    Napi::Uint8Array bytes = value.As<Napi::Uint8Array>();
    source.kind = SourceKind::kBytes;
    source.data = bytes.Data();
    source.size = bytes.ByteLength();
    keep_alive.push_back(Napi::Persistent(bytes.As<Napi::Object>()));
  } else if (value.IsObject() && value.As<Napi::Object>().Get("path").IsString()) {
    Napi::Object o = value.As<Napi::Object>();
    source.kind = SourceKind::kRange;
    source.path = o.Get("path").As<Napi::String>().Utf8Value();
    source.offset = RangeField(o, "offset");
    source.length = RangeField(o, "length");
    source.size = static_cast<size_t>(RangeField(o, "size"));
    Napi::Value deflated = o.Get("deflated");
    if (!deflated.IsBoolean()) throw Napi::TypeError::New(o.Env(), "byte range deflated must be a boolean");
    source.deflated = deflated.As<Napi::Boolean>().Value();
  } else {
    throw Napi::TypeError::New(value.Env(),
                               "source must be a file path string, a Uint8Array or a byte range "
                               "{ path, offset, length, deflated, size }");
  }
  return source;
}

}  // namespace

void AddSource(Napi::Value value, HeldSources& held) { held.sources.push_back(ToSource(value, held.keep_alive)); }

HeldSources HoldSourceArray(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(info.Env(), "sources must be an array");
  Napi::Array list = info[0].As<Napi::Array>();
  HeldSources held;
  held.sources.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i) AddSource(list.Get(i), held);
  return held;
}

}  // namespace xfer
