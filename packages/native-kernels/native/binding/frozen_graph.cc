#include "frozen_graph.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../ops/graph.h"
#include "errors.h"

namespace xk {
namespace {

/** What JavaScript holds: the graph until graphDispose (or garbage collection) frees it. */
struct Holder {
  std::unique_ptr<FrozenGraph> graph;
};

std::string where(uint32_t i, const char* field) { return "graph node " + std::to_string(i) + ": " + field; }

/** Field `field` of node i: an array of `count` integers (any number when count is 0). */
std::vector<int64_t> int_list(const Napi::Object& o, uint32_t i, const char* field, std::size_t count) {
  Napi::Value v = o.Get(field);
  if (!v.IsArray() || (count > 0 && v.As<Napi::Array>().Length() != count)) {
    throw Napi::TypeError::New(o.Env(), where(i, field) + (count > 0 ? " must be an array of " + std::to_string(count) + " integers" : " must be an array of integers"));
  }
  auto a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value e = a.Get(k);
    if (!e.IsNumber()) throw Napi::TypeError::New(o.Env(), where(i, field) + " must hold integers");
    out[k] = e.As<Napi::Number>().Int64Value();
  }
  return out;
}

int64_t int_field(const Napi::Object& o, uint32_t i, const char* field, int64_t fallback) {
  Napi::Value v = o.Get(field);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), where(i, field) + " must be an integer");
  return v.As<Napi::Number>().Int64Value();
}

std::vector<float> float_list(const Napi::Object& o, uint32_t i, const char* field) {
  Napi::Value v = o.Get(field);
  if (v.IsUndefined() || v.IsNull()) return {};
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(o.Env(), where(i, field) + " must be a Float32Array");
  }
  auto a = v.As<Napi::Float32Array>();
  return std::vector<float>(a.Data(), a.Data() + a.ElementLength());
}

GraphNode parse_node(const Napi::Value& value, uint32_t i) {
  Napi::Env env = value.Env();
  if (!value.IsObject()) throw Napi::TypeError::New(env, "graph node " + std::to_string(i) + " must be an object");
  const Napi::Object o = value.As<Napi::Object>();
  GraphNode node;
  const Napi::Value op = o.Get("op");
  const std::string name = op.IsString() ? op.As<Napi::String>().Utf8Value() : "";
  if (name == "conv") node.op = GraphNode::Op::kConv;
  else if (name == "maxPool") node.op = GraphNode::Op::kMaxPool;
  else if (name == "relu") node.op = GraphNode::Op::kRelu;
  else if (name == "add") node.op = GraphNode::Op::kAdd;
  else throw Napi::TypeError::New(env, where(i, "op") + " must be 'conv', 'maxPool', 'relu' or 'add'");
  for (int64_t v : int_list(o, i, "inputs", 0)) node.inputs.push_back(static_cast<int>(std::max<int64_t>(-2, std::min<int64_t>(v, INT32_MAX))));
  if (node.op == GraphNode::Op::kConv || node.op == GraphNode::Op::kMaxPool) {
    const auto k = int_list(o, i, "kernel", 2);
    const auto s = int_list(o, i, "strides", 2);
    const auto p = int_list(o, i, "pad", 4);
    node.kh = k[0], node.kw = k[1], node.sh = s[0], node.sw = s[1];
    node.pad_top = p[0], node.pad_left = p[1], node.pad_bottom = p[2], node.pad_right = p[3];
  }
  if (node.op == GraphNode::Op::kConv) {
    node.groups = int_field(o, i, "groups", 1);
    node.oc = int_field(o, i, "outChannels", 0);
    node.weights = float_list(o, i, "weights");
    node.bias = float_list(o, i, "bias");
    node.relu = o.Get("relu").ToBoolean();
  }
  return node;
}

Holder& holder(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "not a frozen graph handle");
  Holder* h = info[0].As<Napi::External<Holder>>().Data();
  if (!h->graph) throw Napi::Error::New(info.Env(), "the frozen graph was disposed");
  return *h;
}

Napi::Array shape_array(Napi::Env env, const GraphShape& s) {
  Napi::Array a = Napi::Array::New(env, 3);
  a.Set(0u, s.h), a.Set(1u, s.w), a.Set(2u, s.c);
  return a;
}

// graphCreate(nodes, [h, w, c]): a handle for the other graph functions.
Napi::Value GraphCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "nodes must be an array");
  auto list = info[0].As<Napi::Array>();
  std::vector<GraphNode> nodes;
  nodes.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i) nodes.push_back(parse_node(list.Get(i), i));
  if (!info[1].IsArray() || info[1].As<Napi::Array>().Length() != 3) throw Napi::TypeError::New(env, "the input shape must be [h, w, c]");
  int64_t shape[3];
  for (uint32_t k = 0; k < 3; ++k) {
    Napi::Value e = info[1].As<Napi::Array>().Get(k);
    if (!e.IsNumber()) throw Napi::TypeError::New(env, "the input shape must be [h, w, c]");
    shape[k] = e.As<Napi::Number>().Int64Value();
  }
  auto h = std::make_unique<Holder>();
  h->graph = guarded(env, [&] { return std::make_unique<FrozenGraph>(std::move(nodes), GraphShape{shape[0], shape[1], shape[2]}); });
  return Napi::External<Holder>::New(env, h.release(), [](Napi::Env, Holder* p) { delete p; });
}

// graphOutputShape(handle): [h, w, c] of one output image.
Napi::Value GraphOutputShape(const Napi::CallbackInfo& info) {
  return shape_array(info.Env(), holder(info).graph->output_shape());
}

// graphRun(handle, n, x, y): x holds n input images (NHWC float32), y receives n outputs.
Napi::Value GraphRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FrozenGraph& g = *holder(info).graph;
  if (!info[1].IsNumber()) throw Napi::TypeError::New(env, "n must be a number");
  const int64_t n = info[1].As<Napi::Number>().Int64Value();
  if (n < 1) throw Napi::RangeError::New(env, "n must be positive");
  const GraphShape in = g.input_shape(), out = g.output_shape();
  const auto array = [&](size_t i, int64_t per_image, const char* name) {
    if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      throw Napi::TypeError::New(env, std::string(name) + " must be a Float32Array");
    }
    auto a = info[i].As<Napi::Float32Array>();
    const auto length = static_cast<int64_t>(a.ElementLength());
    if (length % per_image != 0 || length / per_image != n) {
      throw Napi::RangeError::New(env, std::string(name) + " does not hold n images of the graph's shape");
    }
    return a.Data();
  };
  const float* x = array(2, in.h * in.w * in.c, "x");
  float* y = array(3, out.h * out.w * out.c, "y");
  guarded(env, [&] { g.run(n, x, y); });
  return env.Undefined();
}

// graphDispose(handle): frees the graph's weights and primitives now rather than at collection.
Napi::Value GraphDispose(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "not a frozen graph handle");
  info[0].As<Napi::External<Holder>>().Data()->graph.reset();
  return info.Env().Undefined();
}

}  // namespace

void export_frozen_graph(Napi::Env env, Napi::Object exports) {
  exports.Set("graphCreate", Napi::Function::New(env, GraphCreate, "graphCreate"));
  exports.Set("graphOutputShape", Napi::Function::New(env, GraphOutputShape, "graphOutputShape"));
  exports.Set("graphRun", Napi::Function::New(env, GraphRun, "graphRun"));
  exports.Set("graphDispose", Napi::Function::New(env, GraphDispose, "graphDispose"));
}

}  // namespace xk
