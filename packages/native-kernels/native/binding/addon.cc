// N-API surface of the kernels: plain numbers and Float32Arrays in, results written into the
// caller's Float32Array. Every kernel runs synchronously on the calling thread, which hands the
// work to oneDNN's OpenMP pool, because tfjs kernels are synchronous.
#include <napi.h>
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>
#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>

#include "../ops/adam.h"
#include "../ops/batch_norm.h"
#include "../ops/conv.h"
#include "../ops/eltwise.h"
#include "../ops/engine.h"
#include "../ops/matmul.h"
#include "../ops/pool.h"
#include "args.h"
#include "errors.h"
#include "frozen_graph.h"

namespace xk {
namespace {

ConvGeometry conv_geometry(const Napi::CallbackInfo& info) {
  const auto v = ints(info, 0, 18, "geometry");
  ConvGeometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17]};
  const std::string why = check_geometry(g);
  if (!why.empty()) throw Napi::RangeError::New(info.Env(), "convolution geometry: " + why);
  return g;
}

// convForward(geometry, x, filter, bias | null, activation, y)
Napi::Value ConvForward(const Napi::CallbackInfo& info) {
  const ConvGeometry g = conv_geometry(info);
  const float* x = floats(info, 1, g.input_size(), "x");
  const float* w = floats(info, 2, g.filter_size(), "filter");
  const float* bias = optional_floats(info, 3, g.oc, "bias");
  const int act = info[4].As<Napi::Number>().Int32Value();
  if (act < 0 || act > 2) throw Napi::RangeError::New(info.Env(), "activation must be 0, 1 or 2");
  float* y = floats(info, 5, g.output_size(), "y");
  guarded(info.Env(), [&] { conv_forward(g, x, w, bias, static_cast<Activation>(act), y); });
  return info.Env().Undefined();
}

// convBackwardData(geometry, dy, filter, dx)
Napi::Value ConvBackwardData(const Napi::CallbackInfo& info) {
  const ConvGeometry g = conv_geometry(info);
  const float* dy = floats(info, 1, g.output_size(), "dy");
  const float* w = floats(info, 2, g.filter_size(), "filter");
  float* dx = floats(info, 3, g.input_size(), "dx");
  guarded(info.Env(), [&] { conv_backward_data(g, dy, w, dx); });
  return info.Env().Undefined();
}

// convBackwardFilter(geometry, x, dy, dw)
Napi::Value ConvBackwardFilter(const Napi::CallbackInfo& info) {
  const ConvGeometry g = conv_geometry(info);
  const float* x = floats(info, 1, g.input_size(), "x");
  const float* dy = floats(info, 2, g.output_size(), "dy");
  float* dw = floats(info, 3, g.filter_size(), "dw");
  guarded(info.Env(), [&] { conv_backward_weights(g, x, dy, dw); });
  return info.Env().Undefined();
}

// convBackwardFolded(geometry, x, dy, filter, folded, scale, dx, dw, wdot): dense convolutions only.
Napi::Value ConvBackwardFolded(const Napi::CallbackInfo& info) {
  const ConvGeometry g = conv_geometry(info);
  if (g.groups != 1) throw Napi::RangeError::New(info.Env(), "convBackwardFolded: a dense convolution (groups 1) only");
  const float* x = floats(info, 1, g.input_size(), "x");
  const float* dy = floats(info, 2, g.output_size(), "dy");
  const float* w = floats(info, 3, g.filter_size(), "filter");
  const float* folded = floats(info, 4, g.filter_size(), "folded");
  const float* scale = floats(info, 5, g.oc, "scale");
  float* dx = floats(info, 6, g.input_size(), "dx");
  float* dw = floats(info, 7, g.filter_size(), "dw");
  float* wdot = floats(info, 8, g.oc, "wdot");
  guarded(info.Env(), [&] { conv_backward_folded(g, x, dy, w, folded, scale, dx, dw, wdot); });
  return info.Env().Undefined();
}

int64_t param_len(const Napi::CallbackInfo& info, size_t i, int64_t channels) {
  if (info[i].IsNull() || info[i].IsUndefined()) return 0;
  if (!info[i].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "batch norm parameters must be Float32Arrays");
  const auto len = static_cast<int64_t>(info[i].As<Napi::TypedArray>().ElementLength());
  if (len != 1 && len != channels) throw Napi::RangeError::New(info.Env(), "a batch norm parameter must have 1 or C values");
  return len;
}

// batchNorm(x, channels, mean, variance, scale | null, offset | null, epsilon, y)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "x must be a Float32Array");
  const auto size = static_cast<int64_t>(info[0].As<Napi::TypedArray>().ElementLength());
  const int64_t channels = info[1].As<Napi::Number>().Int64Value();
  if (channels < 1 || size % channels != 0) throw Napi::RangeError::New(info.Env(), "x's size is not a multiple of channels");
  BatchNormParams p{};
  p.mean_len = param_len(info, 2, channels);
  p.mean = floats(info, 2, p.mean_len, "mean");
  p.variance_len = param_len(info, 3, channels);
  p.variance = floats(info, 3, p.variance_len, "variance");
  p.scale_len = param_len(info, 4, channels);
  p.scale = optional_floats(info, 4, p.scale_len, "scale");
  p.offset_len = param_len(info, 5, channels);
  p.offset = optional_floats(info, 5, p.offset_len, "offset");
  p.epsilon = info[6].As<Napi::Number>().FloatValue();
  const float* x = floats(info, 0, size, "x");
  float* y = floats(info, 7, size, "y");
  batch_norm_inference(x, size / channels, channels, p, y);
  return info.Env().Undefined();
}

PoolGeometry pool_geometry(const Napi::CallbackInfo& info) {
  const auto v = ints(info, 0, 14, "geometry");
  PoolGeometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]};
  for (int64_t d : v) {
    if (d < 0) throw Napi::RangeError::New(info.Env(), "pooling geometry has a negative entry");
  }
  if (g.sh < 1 || g.sw < 1 || g.dh < 1 || g.dw < 1) throw Napi::RangeError::New(info.Env(), "pooling strides and dilations must be >= 1");
  return g;
}

// maxPool(geometry, x, y)
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  const PoolGeometry g = pool_geometry(info);
  const float* x = floats(info, 1, g.n * g.ih * g.iw * g.c, "x");
  float* y = floats(info, 2, g.n * g.oh * g.ow * g.c, "y");
  max_pool(g, x, y);
  return info.Env().Undefined();
}

// maxPoolGrad(geometry, x, dy, dx)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  const PoolGeometry g = pool_geometry(info);
  const float* x = floats(info, 1, g.n * g.ih * g.iw * g.c, "x");
  const float* dy = floats(info, 2, g.n * g.oh * g.ow * g.c, "dy");
  float* dx = floats(info, 3, g.n * g.ih * g.iw * g.c, "dx");
  max_pool_grad(g, x, dy, dx);
  return info.Env().Undefined();
}

int64_t float_length(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Float32Array");
  }
  return static_cast<int64_t>(info[i].As<Napi::TypedArray>().ElementLength());
}

// batchMoments(x, mean, variance): channels = mean's length.
Napi::Value BatchMoments(const Napi::CallbackInfo& info) {
  const int64_t size = float_length(info, 0, "x");
  const int64_t channels = float_length(info, 1, "mean");
  if (channels < 1 || size < channels || size % channels != 0) throw Napi::RangeError::New(info.Env(), "batchMoments: x's size is not a positive multiple of mean's length");
  batch_moments(floats(info, 0, size, "x"), size / channels, channels, floats(info, 1, channels, "mean"), floats(info, 2, channels, "variance"));
  return info.Env().Undefined();
}

// batchNormTrainingGrad(dy, x, mean, variance, scale, dmean, dvariance, epsilon, dx, dscale, doffset)
Napi::Value BatchNormTrainingGrad(const Napi::CallbackInfo& info) {
  const int64_t size = float_length(info, 1, "x");
  const int64_t channels = float_length(info, 2, "mean");
  if (channels < 1 || size < channels || size % channels != 0) throw Napi::RangeError::New(info.Env(), "batchNormTrainingGrad: x's size is not a positive multiple of mean's length");
  BatchNormGradInputs in{floats(info, 0, size, "dy"),         floats(info, 1, size, "x"),
                         floats(info, 2, channels, "mean"),   floats(info, 3, channels, "variance"),
                         floats(info, 4, channels, "scale"),  floats(info, 5, channels, "dmean"),
                         floats(info, 6, channels, "dvariance"), info[7].As<Napi::Number>().FloatValue()};
  batch_norm_training_grad(in, size / channels, channels, floats(info, 8, size, "dx"), floats(info, 9, channels, "dscale"),
                           floats(info, 10, channels, "doffset"));
  return info.Env().Undefined();
}

// binary(op, a, b, inner, out): op 0 add, 1 sub, 2 mul, 3 div; a and b broadcast as eltwise.h says.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  if (op < 0 || op > 3) throw Napi::RangeError::New(info.Env(), "unknown binary op");
  const int64_t na = float_length(info, 1, "a");
  const int64_t nb = float_length(info, 2, "b");
  const int64_t inner = info[3].As<Napi::Number>().Int64Value();
  const int64_t n = float_length(info, 4, "out");
  const int64_t np = na == n ? nb : na;
  const bool ok = na > 0 && nb > 0 && n % na == 0 && n % nb == 0 && (na == n || nb == n) && inner > 0 && np % inner == 0;
  if (!ok) throw Napi::RangeError::New(info.Env(), "binary: operand sizes do not broadcast to the output");
  binary(static_cast<BinaryOp>(op), floats(info, 1, na, "a"), na, floats(info, 2, nb, "b"), nb, inner, floats(info, 4, n, "out"), n);
  return info.Env().Undefined();
}

// unary(op, x, alpha, out): op 0 relu, 1 step, 2 sqrt, 3 square.
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  if (op < 0 || op > 3) throw Napi::RangeError::New(info.Env(), "unknown unary op");
  const int64_t n = float_length(info, 1, "x");
  unary(static_cast<UnaryOp>(op), floats(info, 1, n, "x"), n, info[2].As<Napi::Number>().FloatValue(), floats(info, 3, n, "out"));
  return info.Env().Undefined();
}

// sumRows(x, rows, cols, out)
Napi::Value SumRows(const Napi::CallbackInfo& info) {
  const int64_t rows = info[1].As<Napi::Number>().Int64Value();
  const int64_t cols = info[2].As<Napi::Number>().Int64Value();
  if (rows < 1 || cols < 1) throw Napi::RangeError::New(info.Env(), "sumRows: rows and cols must be positive");
  sum_rows(floats(info, 0, rows * cols, "x"), rows, cols, floats(info, 3, cols, "out"));
  return info.Env().Undefined();
}

// meanAxes(x, outer, reduce, inner, out)
Napi::Value MeanAxes(const Napi::CallbackInfo& info) {
  const int64_t outer = info[1].As<Napi::Number>().Int64Value();
  const int64_t reduce = info[2].As<Napi::Number>().Int64Value();
  const int64_t inner = info[3].As<Napi::Number>().Int64Value();
  if (outer < 1 || reduce < 1 || inner < 1) throw Napi::RangeError::New(info.Env(), "meanAxes: outer, reduce and inner must be positive");
  if (outer > INT64_MAX / reduce / inner) throw Napi::RangeError::New(info.Env(), "meanAxes: size overflows");
  mean_axes(floats(info, 0, outer * reduce * inner, "x"), outer, reduce, inner, floats(info, 4, outer * inner, "out"));
  return info.Env().Undefined();
}

// reluGrad(dy, x, dx)
Napi::Value ReluGrad(const Napi::CallbackInfo& info) {
  const int64_t n = float_length(info, 0, "dy");
  relu_grad(floats(info, 0, n, "dy"), floats(info, 1, n, "x"), n, floats(info, 2, n, "dx"));
  return info.Env().Undefined();
}

// sumCentredProduct(dy, x, mean, out): rows = size / mean's length.
Napi::Value SumCentredProduct(const Napi::CallbackInfo& info) {
  const int64_t n = float_length(info, 0, "dy");
  const int64_t cols = float_length(info, 2, "mean");
  if (cols < 1 || n % cols != 0) throw Napi::RangeError::New(info.Env(), "sumCentredProduct: size is not a multiple of mean's length");
  sum_centred_product(floats(info, 0, n, "dy"), floats(info, 1, n, "x"), floats(info, 2, cols, "mean"), n / cols, cols,
                      floats(info, 3, cols, "out"));
  return info.Env().Undefined();
}

// batchMatMul([batchA, batchB, m, k, n, transposeA, transposeB], a, b, out)
Napi::Value BatchMatMul(const Napi::CallbackInfo& info) {
  const auto v = ints(info, 0, 7, "shape");
  const MatMulShape s{v[0], v[1], v[2], v[3], v[4], v[5] != 0, v[6] != 0};
  if (s.batch_a < 1 || s.batch_b < 1 || s.m < 1 || s.k < 1 || s.n < 1 || (s.batch_a != s.batch_b && s.batch_a != 1 && s.batch_b != 1)) {
    throw Napi::RangeError::New(info.Env(), "batchMatMul: bad shape");
  }
  const float* a = floats(info, 1, s.batch_a * s.m * s.k, "a");
  const float* b = floats(info, 2, s.batch_b * s.k * s.n, "b");
  float* out = floats(info, 3, std::max(s.batch_a, s.batch_b) * s.m * s.n, "out");
  guarded(info.Env(), [&] { batch_matmul(s, a, b, out); });
  return info.Env().Undefined();
}

Napi::Array float_arrays(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsArray()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an array of Float32Arrays");
  return info[i].As<Napi::Array>();
}

float* float_data(const Napi::Env& env, const Napi::Array& list, uint32_t k, int64_t expected, const char* name) {
  Napi::Value e = list.Get(k);
  if (!e.IsTypedArray() || e.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(env, std::string(name) + " must hold Float32Arrays");
  }
  auto a = e.As<Napi::Float32Array>();
  if (expected >= 0 && static_cast<int64_t>(a.ElementLength()) != expected) {
    throw Napi::RangeError::New(env, std::string(name) + "[" + std::to_string(k) + "] does not have its gradient's size");
  }
  return a.Data();
}

// kerasAdam([alpha, 1 - beta1, 1 - beta2, epsilon], gradients, m, v, values, mOut, vOut, valuesOut):
// seven parallel lists with one Float32Array per variable.
Napi::Value KerasAdam(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto hyper = info[0];
  if (!hyper.IsArray() || hyper.As<Napi::Array>().Length() != 4) throw Napi::TypeError::New(env, "step must be 4 numbers");
  float h[4];
  for (uint32_t k = 0; k < 4; ++k) {
    Napi::Value e = hyper.As<Napi::Array>().Get(k);
    if (!e.IsNumber()) throw Napi::TypeError::New(env, "step must be 4 numbers");
    h[k] = e.As<Napi::Number>().FloatValue();
  }
  const char* names[] = {"gradients", "m", "v", "values", "mOut", "vOut", "valuesOut"};
  Napi::Array lists[7];
  for (size_t l = 0; l < 7; ++l) lists[l] = float_arrays(info, l + 1, names[l]);
  const uint32_t count = lists[0].Length();
  for (size_t l = 1; l < 7; ++l) {
    if (lists[l].Length() != count) throw Napi::RangeError::New(env, "kerasAdam: the lists differ in length");
  }
  std::vector<AdamSlot> slots(count);
  for (uint32_t k = 0; k < count; ++k) {
    const float* g = float_data(env, lists[0], k, -1, names[0]);
    const auto size = static_cast<int64_t>(lists[0].Get(k).As<Napi::Float32Array>().ElementLength());
    float* p[6];
    for (size_t l = 1; l < 7; ++l) p[l - 1] = float_data(env, lists[l], k, size, names[l]);
    slots[k] = AdamSlot{g, p[0], p[1], p[2], p[3], p[4], p[5], size};
  }
  keras_adam(slots, AdamStep{h[0], h[1], h[2], h[3]});
  return env.Undefined();
}

const char* isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const dnnl::version_t* v = dnnl::version();
  Napi::Object out = Napi::Object::New(env);
  out.Set("onednn", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  out.Set("isa", isa_name(dnnl::get_effective_cpu_isa()));
  out.Set("threads", omp_get_max_threads());
  out.Set("bf16", bf16_supported());
  out.Set("precision", compute_precision() == Precision::kMixedBfloat16 ? "mixed_bfloat16" : "float32");
  return out;
}

// setPrecision(name): "float32" or "mixed_bfloat16", the latter only where bf16_supported().
Napi::Value SetPrecision(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "precision must be a string");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name == "float32") {
    compute_precision() = Precision::kFloat32;
  } else if (name == "mixed_bfloat16") {
    if (!bf16_supported()) {
      throw Napi::Error::New(env, std::string("mixed_bfloat16 needs a CPU that computes bf16 natively (AVX512-BF16 or AMX); oneDNN's ISA here is ") +
                                      isa_name(dnnl::get_effective_cpu_isa()));
    }
    compute_precision() = Precision::kMixedBfloat16;
  } else {
    throw Napi::RangeError::New(env, "precision must be 'float32' or 'mixed_bfloat16', not '" + name + "'");
  }
  return env.Undefined();
}

Napi::Value Primitives(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto list = primitive_cache().list();
  Napi::Array out = Napi::Array::New(env, list.size());
  for (uint32_t i = 0; i < list.size(); ++i) {
    Napi::Object p = Napi::Object::New(env);
    p.Set("kind", list[i].kind);
    p.Set("key", list[i].key);
    p.Set("impl", list[i].impl);
    out.Set(i, p);
  }
  return out;
}

}  // namespace
}  // namespace xk

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace xk;
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("primitives", Napi::Function::New(env, Primitives, "primitives"));
  exports.Set("setPrecision", Napi::Function::New(env, SetPrecision, "setPrecision"));
  exports.Set("convForward", Napi::Function::New(env, ConvForward, "convForward"));
  exports.Set("convBackwardData", Napi::Function::New(env, ConvBackwardData, "convBackwardData"));
  exports.Set("convBackwardFilter", Napi::Function::New(env, ConvBackwardFilter, "convBackwardFilter"));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm, "batchNorm"));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool, "maxPool"));
  exports.Set("reluGrad", Napi::Function::New(env, ReluGrad, "reluGrad"));
  exports.Set("sumCentredProduct", Napi::Function::New(env, SumCentredProduct, "sumCentredProduct"));
  exports.Set("batchMatMul", Napi::Function::New(env, BatchMatMul, "batchMatMul"));
  exports.Set("convBackwardFolded", Napi::Function::New(env, ConvBackwardFolded, "convBackwardFolded"));
  exports.Set("binary", Napi::Function::New(env, Binary, "binary"));
  exports.Set("unary", Napi::Function::New(env, Unary, "unary"));
  exports.Set("sumRows", Napi::Function::New(env, SumRows, "sumRows"));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad, "maxPoolGrad"));
  exports.Set("batchMoments", Napi::Function::New(env, BatchMoments, "batchMoments"));
  exports.Set("batchNormTrainingGrad", Napi::Function::New(env, BatchNormTrainingGrad, "batchNormTrainingGrad"));
  exports.Set("meanAxes", Napi::Function::New(env, MeanAxes, "meanAxes"));
  exports.Set("kerasAdam", Napi::Function::New(env, KerasAdam, "kerasAdam"));
  export_frozen_graph(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(xfer_kernels, Init)
