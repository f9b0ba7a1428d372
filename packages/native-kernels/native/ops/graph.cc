#include "graph.h"

#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "conv.h"
#include "engine.h"

namespace xk {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

constexpr int64_t kMaxExtent = int64_t{1} << 30;

const char* op_name(GraphNode::Op op) {
  switch (op) {
    case GraphNode::Op::kConv: return "conv";
    case GraphNode::Op::kMaxPool: return "maxPool";
    case GraphNode::Op::kRelu: return "relu";
    case GraphNode::Op::kAdd: return "add";
  }
  return "?";
}

/** The output extent of a window sliding over `in` with the given padding, or why there is none. */
int64_t window_out(int64_t in, int64_t k, int64_t s, int64_t pad_lo, int64_t pad_hi, std::string& why) {
  if (k < 1 || s < 1) why = "kernel and strides must be >= 1";
  else if (pad_lo < 0 || pad_hi < 0) why = "negative padding";
  else if (k > kMaxExtent || s > kMaxExtent || pad_lo > kMaxExtent || pad_hi > kMaxExtent) why = "kernel, strides or padding too large";
  else if (in + pad_lo + pad_hi < k) why = "the window is larger than the padded input";
  return why.empty() ? (in + pad_lo + pad_hi - k) / s + 1 : 0;
}

ConvGeometry conv_geometry(const GraphNode& node, const GraphShape& in, const GraphShape& out, int64_t n) {
  return ConvGeometry{n, in.h, in.w, in.c, out.h, out.w, out.c, node.kh, node.kw, node.sh, node.sw, 1, 1,
                      node.pad_top, node.pad_left, node.pad_bottom, node.pad_right, node.groups};
}

/** 64-byte aligned storage for one activation (or a reorder's result) of a plan. */
struct Buffer {
  std::size_t bytes;
  std::unique_ptr<void, decltype(&std::free)> data;
  bool in_use;
};

}  // namespace

/**
 * The primitives of one batch size and precision, in execution order, with the buffers they read
 * and write. Buffers are recycled by liveness: once a value's last reader has run, its buffer
 * serves a later value, so a pass touches a working set the size of a few activations.
 */
class FrozenGraph::Plan {
 public:
  Plan(const std::vector<GraphNode>& nodes, const std::vector<GraphShape>& shapes, GraphShape input, int64_t n, dt type)
      : input_(memory::desc({n, input.c, input.h, input.w}, dt::f32, tag::nhwc), cpu_engine(), nullptr) {
    const int count = static_cast<int>(nodes.size());
    last_use_.assign(count, count);  // the last node's value is read by the final reorder
    for (int i = 0; i < count; ++i) {
      for (int v : nodes[i].inputs) {
        if (v >= 0) last_use_[v] = i;
      }
    }
    values_.resize(count);
    for (int i = 0; i < count; ++i) {
      const int in = nodes[i].inputs[0];
      add_node(nodes[i], i, in < 0 ? input : shapes[in], shapes[i], n, type);
    }
    const GraphShape& out = shapes.back();
    output_ = memory(memory::desc({n, out.c, out.h, out.w}, dt::f32, tag::nhwc), cpu_engine(), nullptr);
    add_reorder(value(count - 1), output_);
  }

  void run(const float* x, float* y) {
    input_.set_data_handle(const_cast<float*>(x));
    output_.set_data_handle(y);
    for (auto& step : steps_) step.prim.execute(cpu_stream(), step.args);
    cpu_stream().wait();
  }

 private:
  struct Step {
    dnnl::primitive prim;
    std::unordered_map<int, memory> args;
  };
  struct Value {
    memory::desc md;
    int buffer = -1;
  };

  memory::desc desc_of(int v) const { return v < 0 ? input_.get_desc() : values_[v].md; }

  memory value(int v) {
    if (v < 0) return input_;
    return memory(values_[v].md, cpu_engine(), buffers_[values_[v].buffer].data.get());
  }

  int allocate(std::size_t bytes) {
    int best = -1;
    for (int b = 0; b < static_cast<int>(buffers_.size()); ++b) {
      const Buffer& buf = buffers_[b];
      if (!buf.in_use && buf.bytes >= bytes && (best < 0 || buf.bytes < buffers_[best].bytes)) best = b;
    }
    if (best < 0) {
      const std::size_t rounded = (bytes + 63) / 64 * 64;
      void* p = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
      if (!p) throw std::bad_alloc();
      buffers_.push_back(Buffer{rounded, {p, &std::free}, false});
      best = static_cast<int>(buffers_.size()) - 1;
    }
    buffers_[best].in_use = true;
    return best;
  }

  void add_reorder(const memory& from, const memory& to) {
    steps_.push_back(Step{dnnl::reorder(from, to), {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}}});
  }

  /** Value v in layout `md`: as it is, or reordered into a buffer that is free again after the current node. */
  memory as(int v, const memory::desc& md) {
    if (desc_of(v) == md) return value(v);
    const int b = allocate(md.get_size());
    temps_.push_back(b);
    memory converted(md, cpu_engine(), buffers_[b].data.get());
    add_reorder(value(v), converted);
    return converted;
  }

  void add_node(const GraphNode& node, int i, const GraphShape& in_shape, const GraphShape& out, int64_t n, dt type) {
    const int in = node.inputs[0];
    switch (node.op) {
      case GraphNode::Op::kConv: add_conv(node, i, in_shape, out, n, type); break;
      case GraphNode::Op::kMaxPool: {
        const memory::desc src = desc_of(in);
        dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max, src,
                                      memory::desc({n, out.c, out.h, out.w}, src.data_type(), tag::any), {node.sh, node.sw},
                                      {node.kh, node.kw}, {node.pad_top, node.pad_left}, {node.pad_bottom, node.pad_right});
        dnnl::pooling_forward::primitive_desc pd(d, cpu_engine());
        finish(i, pd.dst_desc(), dnnl::pooling_forward(pd), {{DNNL_ARG_SRC, value(in)}}, DNNL_ARG_DST);
        break;
      }
      case GraphNode::Op::kRelu: {
        dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_relu, desc_of(in), 0.f, 0.f);
        dnnl::eltwise_forward::primitive_desc pd(d, cpu_engine());
        finish(i, pd.dst_desc(), dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, value(in)}}, DNNL_ARG_DST);
        break;
      }
      case GraphNode::Op::kAdd: {
        // The second addend in the first's layout, so the primitive streams both alike.
        const memory::desc md = desc_of(in);
        memory b = as(node.inputs[1], md);
        dnnl::binary::desc d(dnnl::algorithm::binary_add, md, md, md);
        dnnl::binary::primitive_desc pd(d, cpu_engine());
        finish(i, pd.dst_desc(), dnnl::binary(pd), {{DNNL_ARG_SRC_0, value(in)}, {DNNL_ARG_SRC_1, b}}, DNNL_ARG_DST);
        break;
      }
    }
    for (int v : node.inputs) {
      if (v >= 0 && last_use_[v] == i && !stolen_[v]) buffers_[values_[v].buffer].in_use = false;
    }
    for (int b : temps_) buffers_[b].in_use = false;
    temps_.clear();
  }

  /** Gives node i's output a buffer (unless `into` names one already) and appends its step. */
  void finish(int i, const memory::desc& md, dnnl::primitive prim, std::unordered_map<int, memory> args, int dst_arg, int into = -1) {
    const int b = into >= 0 ? into : allocate(md.get_size());
    values_[i] = Value{md, b};
    args.emplace(dst_arg, value(i));
    steps_.push_back(Step{std::move(prim), std::move(args)});
  }

  void add_conv(const GraphNode& node, int i, const GraphShape& in_shape, const GraphShape& out, int64_t n, dt type) {
    const ConvGeometry g = conv_geometry(node, in_shape, out, n);
    const bool residual = node.inputs.size() == 2;
    const auto make = [&](dt t) {
      dnnl::convolution_forward::desc d(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, memory::desc({n, g.ic, g.ih, g.iw}, t, tag::any),
          any_filter_desc(g, t), node.bias.empty() ? memory::desc() : memory::desc({g.oc}, dt::f32, tag::x),
          memory::desc({n, g.oc, g.oh, g.ow}, t, tag::any), {g.sh, g.sw}, {g.pad_top, g.pad_left}, {g.pad_bottom, g.pad_right});
      dnnl::post_ops ops;
      if (residual) ops.append_sum(1.f);
      if (node.relu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      dnnl::primitive_attr attr;
      attr.set_post_ops(ops);
      return dnnl::convolution_forward::primitive_desc(d, attr, cpu_engine());
    };
    dnnl::convolution_forward::primitive_desc pd;
    try {
      pd = make(type);
    } catch (const dnnl::error&) {
      if (type == dt::f32) throw;
      pd = make(dt::f32);  // no bf16 implementation for this shape
    }
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, as(node.inputs[0], pd.src_desc())}};
    memory weights(pd.weights_desc(), cpu_engine());
    memory user(tfjs_filter_desc(g), cpu_engine(), const_cast<float*>(node.weights.data()));
    dnnl::reorder(user, weights).execute(cpu_stream(), user, weights);
    cpu_stream().wait();
    weights_.push_back(weights);
    args.emplace(DNNL_ARG_WEIGHTS, weights);
    if (!node.bias.empty()) args.emplace(DNNL_ARG_BIAS, memory(pd.bias_desc(), cpu_engine(), const_cast<float*>(node.bias.data())));
    int into = -1;
    if (residual) {
      // The sum post-op adds what the destination holds: the residual's own buffer where this
      // is its last reader and its layout matches, else a copy of it.
      const int r = node.inputs[1];
      if (r >= 0 && r != node.inputs[0] && last_use_[r] == i && values_[r].md == pd.dst_desc()) {
        into = values_[r].buffer;
        stolen_[r] = true;
      } else {
        into = allocate(pd.dst_desc().get_size());
        add_reorder(value(r), memory(pd.dst_desc(), cpu_engine(), buffers_[into].data.get()));
      }
    }
    finish(i, pd.dst_desc(), dnnl::convolution_forward(pd), std::move(args), DNNL_ARG_DST, into);
  }

  memory input_;
  memory output_;
  std::vector<Step> steps_;
  std::vector<Value> values_;
  std::vector<int> last_use_;
  std::unordered_map<int, bool> stolen_;
  std::vector<Buffer> buffers_;
  std::vector<int> temps_;
  std::vector<memory> weights_;
};

FrozenGraph::FrozenGraph(std::vector<GraphNode> nodes, GraphShape input) : nodes_(std::move(nodes)), input_(input) {
  if (nodes_.empty()) throw std::invalid_argument("a frozen graph needs at least one node");
  if (input.h < 1 || input.w < 1 || input.c < 1 || input.h > kMaxExtent || input.w > kMaxExtent || input.c > kMaxExtent ||
      input.h * input.w > (int64_t{1} << 40) / input.c) {
    throw std::invalid_argument("the input shape must be positive and at most 2^40 values");
  }
  const auto shape_of = [&](int v) { return v < 0 ? input_ : shapes_[v]; };
  for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
    const GraphNode& node = nodes_[i];
    std::string why;
    const std::size_t arity = node.op == GraphNode::Op::kAdd ? 2 : 1;
    const bool arity_ok = node.inputs.size() == arity || (node.op == GraphNode::Op::kConv && node.inputs.size() == 2);
    if (!arity_ok) why = "wrong number of inputs";
    for (int v : node.inputs) {
      if (v < -1 || v >= i) why = "input " + std::to_string(v) + " is not an earlier node";
    }
    GraphShape out;
    if (why.empty()) {
      const GraphShape in = shape_of(node.inputs[0]);
      switch (node.op) {
        case GraphNode::Op::kConv: {
          out = {window_out(in.h, node.kh, node.sh, node.pad_top, node.pad_bottom, why),
                 window_out(in.w, node.kw, node.sw, node.pad_left, node.pad_right, why), node.oc};
          if (!why.empty()) break;
          if (node.groups < 1 || node.oc < 1 || node.oc > kMaxExtent || in.c % node.groups != 0 || node.oc % node.groups != 0) {
            why = "channels do not divide into groups";
          } else if (static_cast<int64_t>(node.weights.size()) != node.kh * node.kw * (in.c / node.groups) * node.oc) {
            why = "weights have " + std::to_string(node.weights.size()) + " values, expected kh*kw*in/groups*oc = " +
                  std::to_string(node.kh * node.kw * (in.c / node.groups) * node.oc);
          } else if (!node.bias.empty() && static_cast<int64_t>(node.bias.size()) != node.oc) {
            why = "bias must have oc values";
          } else if (node.inputs.size() == 2) {
            const GraphShape r = shape_of(node.inputs[1]);
            if (r.h != out.h || r.w != out.w || r.c != out.c) why = "the residual's shape differs from the output's";
          }
          break;
        }
        case GraphNode::Op::kMaxPool:
          out = {window_out(in.h, node.kh, node.sh, node.pad_top, node.pad_bottom, why),
                 window_out(in.w, node.kw, node.sw, node.pad_left, node.pad_right, why), in.c};
          // oneDNN pools only windows that overlap the input; tfjs' padding never exceeds the kernel.
          if (why.empty() && (node.pad_top >= node.kh || node.pad_bottom >= node.kh || node.pad_left >= node.kw || node.pad_right >= node.kw)) {
            why = "padding must be smaller than the window";
          }
          break;
        case GraphNode::Op::kRelu: out = in; break;
        case GraphNode::Op::kAdd: {
          const GraphShape b = shape_of(node.inputs[1]);
          if (b.h != in.h || b.w != in.w || b.c != in.c) why = "the addends' shapes differ";
          out = in;
          break;
        }
      }
    }
    if (why.empty() && out.h * out.w > (int64_t{1} << 40) / out.c) why = "the output is too large";
    if (!why.empty()) throw std::invalid_argument("node " + std::to_string(i) + " (" + op_name(node.op) + "): " + why);
    shapes_.push_back(out);
  }
}

FrozenGraph::~FrozenGraph() = default;

void FrozenGraph::run(int64_t n, const float* x, float* y) {
  if (n < 1 || n > kMaxExtent) throw std::invalid_argument("the batch size must be positive");
  const auto key = std::make_pair(n, static_cast<int>(compute_precision()));
  auto it = plans_.find(key);
  if (it == plans_.end()) {
    // A training run sees its batch size and the last partial batch of each split: a handful.
    if (plans_.size() >= 8) plans_.clear();
    it = plans_.emplace(key, std::make_unique<Plan>(nodes_, shapes_, input_, n, compute_type())).first;
  }
  it->second->run(x, y);
}

}  // namespace xk
