#include "options.h"

#include <cmath>
#include <cstdio>

namespace xfer {
namespace {

std::string Whole(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", v);
  return text;
}

}  // namespace

Options::Options(const Napi::CallbackInfo& info, size_t index) {
  if (index >= info.Length() || !info[index].IsObject()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(index + 1) + " must be an options object");
  }
  object_ = info[index].As<Napi::Object>();
}

double Options::Number(const char* key) const {
  Napi::Value v = object_.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(object_.Env(), Name(key) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

double Options::Integer(const char* key, double lo, double hi) const {
  const double v = Number(key);
  if (!(v >= lo && v <= hi) || std::floor(v) != v) {
    throw Napi::RangeError::New(object_.Env(), Name(key) + " must be an integer from " + Whole(lo) + " to " + Whole(hi));
  }
  return v;
}

double IntegerArg(const Napi::CallbackInfo& info, size_t i, double lo, double hi, const char* name) {
  const double v = i < info.Length() && info[i].IsNumber() ? info[i].As<Napi::Number>().DoubleValue() : NAN;
  if (!(v >= lo && v <= hi) || std::floor(v) != v) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be an integer from " + Whole(lo) + " to " + Whole(hi));
  }
  return v;
}

double Options::Finite(const char* key) const {
  const double v = Number(key);
  if (!std::isfinite(v)) throw Napi::RangeError::New(object_.Env(), Name(key) + " must be finite");
  return v;
}

float Options::Float32(const char* key) const {
  const double v = Finite(key);
  if (std::fabs(v) > static_cast<double>(std::numeric_limits<float>::max())) {
    throw Napi::RangeError::New(object_.Env(), Name(key) + " is outside the float32 range");
  }
  return static_cast<float>(v);
}

bool Options::Bool(const char* key) const {
  Napi::Value v = object_.Get(key);
  if (!v.IsBoolean()) throw Napi::TypeError::New(object_.Env(), Name(key) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string Options::String(const char* key) const {
  Napi::Value v = object_.Get(key);
  if (!v.IsString()) throw Napi::TypeError::New(object_.Env(), Name(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

}  // namespace xfer
