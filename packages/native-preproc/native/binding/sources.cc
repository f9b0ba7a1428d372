#include "sources.h"

namespace xfer {

void AddSource(Napi::Value value, HeldSources& held) {
  Source source;
  if (value.IsString()) {
    source.is_path = true;
    source.path = value.As<Napi::String>().Utf8Value();
  } else if (value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    Napi::Uint8Array bytes = value.As<Napi::Uint8Array>();
    source.data = bytes.Data();
    source.size = bytes.ByteLength();
    held.keep_alive.push_back(Napi::Persistent(bytes.As<Napi::Object>()));
  } else {
    throw Napi::TypeError::New(value.Env(), "source must be a file path string or a Uint8Array");
  }
  held.sources.push_back(std::move(source));
}

}  // namespace xfer
