#include "conv.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "eltwise.h"
#include "engine.h"

namespace xk {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;
constexpr auto f32 = dt::f32;

memory::desc nhwc(int64_t n, int64_t c, int64_t h, int64_t w, dt type = f32) {
  return memory::desc({n, c, h, w}, type, tag::nhwc);
}

memory::dims strides(const ConvGeometry& g) { return {g.sh, g.sw}; }
memory::dims dilates(const ConvGeometry& g) { return {g.dh - 1, g.dw - 1}; }
memory::dims pad_l(const ConvGeometry& g) { return {g.pad_top, g.pad_left}; }
memory::dims pad_r(const ConvGeometry& g) { return {g.pad_bottom, g.pad_right}; }

std::string key_of(const char* kind, const ConvGeometry& g, int extra, dt type) {
  std::string k = kind;
  k += type == f32 ? ",f32" : ",bf16";
  for (int64_t v : {g.n, g.ih, g.iw, g.ic, g.oh, g.ow, g.oc, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw,
                    g.pad_top, g.pad_left, g.pad_bottom, g.pad_right, g.groups, int64_t{extra}}) {
    k += ',';
    k += std::to_string(v);
  }
  return k;
}

dnnl::convolution_forward::primitive_desc forward_pd(const ConvGeometry& g, bool bias, Activation act, dt type) {
  dnnl::convolution_forward::desc d(
      dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, nhwc(g.n, g.ic, g.ih, g.iw, type),
      any_filter_desc(g, type), bias ? memory::desc({g.oc}, f32, tag::x) : memory::desc(), nhwc(g.n, g.oc, g.oh, g.ow),
      strides(g), dilates(g), pad_l(g), pad_r(g));
  dnnl::primitive_attr attr;
  if (act != Activation::kNone) {
    dnnl::post_ops ops;
    if (act == Activation::kRelu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    else ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f);
    attr.set_post_ops(ops);
  }
  return dnnl::convolution_forward::primitive_desc(d, attr, cpu_engine());
}

/**
 * Moves the filter between tfjs' layout and the blocked layout a primitive chose, into a buffer
 * kept with the primitive; a no-op when the primitive takes tfjs' layout as it is.
 */
struct WeightsBridge {
  memory::desc user;
  memory::desc internal;
  memory scratch;
  dnnl::reorder reorder;
  bool needed = false;

  WeightsBridge(const ConvGeometry& g, const memory::desc& chosen, bool to_user) : user(tfjs_filter_desc(g)), internal(chosen) {
    needed = user != internal;
    if (!needed) return;
    scratch = memory(internal, cpu_engine());
    memory u(user, cpu_engine(), nullptr);
    reorder = to_user ? dnnl::reorder(scratch, u) : dnnl::reorder(u, scratch);
  }

  /** The weights as the primitive wants them, converted from tfjs' layout if needed. */
  memory in(const float* w) {
    memory u(user, cpu_engine(), const_cast<float*>(w));
    if (!needed) return u;
    reorder.execute(cpu_stream(), u, scratch);
    return scratch;
  }

  /** Where the primitive should write weights that end up in `w`. */
  memory out(float* w) { return needed ? scratch : memory(user, cpu_engine(), w); }

  /** Brings what the primitive wrote into `w`. */
  void finish(float* w) {
    if (!needed) return;
    memory u(user, cpu_engine(), w);
    reorder.execute(cpu_stream(), scratch, u);
  }
};

/**
 * oneDNN 2.6's jit_1x1 backward kernels subsample strided 1x1 inputs through an internal
 * buffer, and for some channel counts (12 input channels at stride 2, for one) they corrupt the
 * heap. Strided 1x1 backward passes therefore take the next implementation oneDNN offers.
 */
template <typename PD>
PD skip_strided_1x1_jit(PD pd, const ConvGeometry& g) {
  if (g.kh != 1 || g.kw != 1 || (g.sh == 1 && g.sw == 1)) return pd;
  // jit_bf16_1x1 shares their strided-input path, so it is passed over too.
  const auto unsafe = [](const std::string& impl) { return impl.rfind("jit_1x1", 0) == 0 || impl.rfind("jit_bf16_1x1", 0) == 0; };
  while (unsafe(pd.impl_info_str())) {
    if (!pd.next_impl()) throw std::runtime_error("oneDNN has no safe implementation of this strided 1x1 convolution gradient");
  }
  return pd;
}

/**
 * The primitive descriptor of a backward pass (Primitive: convolution_backward_data or _weights).
 * In `type` it reads the upstream gradient and either the weights (data) or the forward input
 * (weights); what it writes is float32.
 */
template <typename Primitive>
typename Primitive::primitive_desc backward_pd(const ConvGeometry& g, dt type) {
  constexpr bool data = std::is_same_v<Primitive, dnnl::convolution_backward_data>;
  typename Primitive::desc d(dnnl::algorithm::convolution_direct, nhwc(g.n, g.ic, g.ih, g.iw, data ? f32 : type),
                             any_filter_desc(g, data ? type : f32), nhwc(g.n, g.oc, g.oh, g.ow, type), strides(g), dilates(g),
                             pad_l(g), pad_r(g));
  return skip_strided_1x1_jit(
      typename Primitive::primitive_desc(d, cpu_engine(), forward_pd(g, false, Activation::kNone, type)), g);
}

struct Forward {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  InputBridge src;
  WeightsBridge weights;
  Forward(const ConvGeometry& g, bool bias, Activation act, dt type)
      : pd(forward_pd(g, bias, act, type)), prim(pd), src(nhwc(g.n, g.ic, g.ih, g.iw), pd.src_desc(), 0), weights(g, pd.weights_desc(), false) {}
  static CachedPrimitive describe(const void* p) {
    const auto* self = static_cast<const Forward*>(p);
    return {"conv_forward", "", self->pd.impl_info_str()};
  }
};

struct BackwardData {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
  InputBridge diff_dst;
  WeightsBridge weights;
  BackwardData(const ConvGeometry& g, dt type)
      : pd(backward_pd<dnnl::convolution_backward_data>(g, type)), prim(pd), diff_dst(nhwc(g.n, g.oc, g.oh, g.ow), pd.diff_dst_desc(), 0),
        weights(g, pd.weights_desc(), false) {}
  static CachedPrimitive describe(const void* p) {
    return {"conv_backward_data", "", static_cast<const BackwardData*>(p)->pd.impl_info_str()};
  }
};

struct BackwardWeights {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
  InputBridge src;
  InputBridge diff_dst;
  WeightsBridge weights;
  BackwardWeights(const ConvGeometry& g, dt type)
      : pd(backward_pd<dnnl::convolution_backward_weights>(g, type)), prim(pd), src(nhwc(g.n, g.ic, g.ih, g.iw), pd.src_desc(), 0),
        diff_dst(nhwc(g.n, g.oc, g.oh, g.ow), pd.diff_dst_desc(), 1), weights(g, pd.diff_weights_desc(), true) {}
  static CachedPrimitive describe(const void* p) {
    return {"conv_backward_weights", "", static_cast<const BackwardWeights*>(p)->pd.impl_info_str()};
  }
};

}  // namespace

memory::desc tfjs_filter_desc(const ConvGeometry& g) {
  const int64_t in = g.ic / g.groups;
  const int64_t out = g.oc / g.groups;
  const int64_t row = g.kw * g.ic / g.groups * g.oc;  // one filter row: [kw, in, out] (or [kw, C, M])
  if (g.groups == 1) return memory::desc({g.oc, g.ic, g.kh, g.kw}, f32, {1, g.oc, row, g.ic * g.oc});
  // Depthwise [kh, kw, C, M]: group c, output m sits at c*M + m; the input extent is 1.
  return memory::desc({g.groups, out, in, g.kh, g.kw}, f32, {out, 1, out, row, g.groups * out});
}

memory::desc any_filter_desc(const ConvGeometry& g, dt type) {
  if (g.groups == 1) return memory::desc({g.oc, g.ic, g.kh, g.kw}, type, tag::any);
  return memory::desc({g.groups, g.oc / g.groups, g.ic / g.groups, g.kh, g.kw}, type, tag::any);
}

const char* check_geometry(const ConvGeometry& g) {
  if (g.n < 1 || g.ih < 1 || g.iw < 1 || g.ic < 1 || g.oh < 1 || g.ow < 1 || g.oc < 1) return "empty tensor";
  if (g.kh < 1 || g.kw < 1 || g.sh < 1 || g.sw < 1 || g.dh < 1 || g.dw < 1) return "bad kernel, stride or dilation";
  if (g.pad_top < 0 || g.pad_left < 0 || g.pad_bottom < 0 || g.pad_right < 0) return "negative padding";
  if (g.groups < 1 || g.ic % g.groups != 0 || g.oc % g.groups != 0) return "channels do not divide into groups";
  // oneDNN derives the output size from the padding; it must be the size tfjs resolved.
  const int64_t ekh = (g.kh - 1) * g.dh + 1;
  const int64_t ekw = (g.kw - 1) * g.dw + 1;
  if ((g.ih - ekh + g.pad_top + g.pad_bottom) / g.sh + 1 != g.oh) return "output height does not follow from the padding";
  if ((g.iw - ekw + g.pad_left + g.pad_right) / g.sw + 1 != g.ow) return "output width does not follow from the padding";
  return "";
}

void conv_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, Activation act, float* y) {
  const dt type = compute_type();
  const int variant = static_cast<int>(act) * 2 + (bias ? 1 : 0);
  auto& op = primitive_cache().get<Forward>(key_of("fwd", g, variant, type), [&] { return make_in<Forward>(type, g, bias != nullptr, act); });
  auto& e = cpu_engine();
  memory dst(op.pd.dst_desc(), e, y);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, op.src.in(x)}, {DNNL_ARG_WEIGHTS, op.weights.in(w)}, {DNNL_ARG_DST, dst}};
  if (bias) args.emplace(DNNL_ARG_BIAS, memory(op.pd.bias_desc(), e, const_cast<float*>(bias)));
  op.prim.execute(cpu_stream(), args);
  cpu_stream().wait();
}

namespace {

BackwardData& backward_data_op(const ConvGeometry& g) {
  const dt type = compute_type();
  return primitive_cache().get<BackwardData>(key_of("bwd_d", g, 0, type), [&] { return make_in<BackwardData>(type, g); });
}

BackwardWeights& backward_weights_op(const ConvGeometry& g) {
  // Where oneDNN 2.6's bf16 weight gradient is slower than its float32 one, the gradient stays
  // float32: strided convolutions (jit_bf16 took 250 ms where float32 takes 6-8 ms, Xception's
  // stride-2 convolutions at 150x150, batch 32) and depthwise ones (jit_dw: 134 ms against 83 ms
  // for Xception's 34 per fine-tune step), whose converted inputs cost more than bf16 saves.
  const dt type = g.sh == 1 && g.sw == 1 && g.groups == 1 ? compute_type() : f32;
  return primitive_cache().get<BackwardWeights>(key_of("bwd_w", g, 0, type), [&] { return make_in<BackwardWeights>(type, g); });
}

/** dw from x and dy, where dy_in is dy as the primitive reads it. */
void run_backward_weights(BackwardWeights& op, const float* x, const memory& dy_in, float* dw) {
  op.prim.execute(cpu_stream(), {{DNNL_ARG_SRC, op.src.in(x)}, {DNNL_ARG_DIFF_DST, dy_in}, {DNNL_ARG_DIFF_WEIGHTS, op.weights.out(dw)}});
  op.weights.finish(dw);
  cpu_stream().wait();
}

void run_backward_data(BackwardData& op, const memory& dy_in, const float* w, float* dx) {
  op.prim.execute(cpu_stream(), {{DNNL_ARG_DIFF_DST, dy_in},
                                 {DNNL_ARG_WEIGHTS, op.weights.in(w)},
                                 {DNNL_ARG_DIFF_SRC, memory(op.pd.diff_src_desc(), cpu_engine(), dx)}});
  cpu_stream().wait();
}

}  // namespace

void conv_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  auto& op = backward_data_op(g);
  run_backward_data(op, op.diff_dst.in(dy), w, dx);
}

void conv_backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  auto& op = backward_weights_op(g);
  run_backward_weights(op, x, op.diff_dst.in(dy), dw);
}

void conv_backward_folded(const ConvGeometry& g, const float* x, const float* dy, const float* w, const float* w_folded,
                          const float* scale, float* dx, float* dw, float* wdot) {
  auto& bw = backward_weights_op(g);
  const memory dy_w = bw.diff_dst.in(dy);
  run_backward_weights(bw, x, dy_w, dw);
  auto& bd = backward_data_op(g);
  // The weight gradient's converted dy serves the data gradient too where both read the same
  // layout and type (not for strided convolutions, whose weight gradient reads float32).
  run_backward_data(bd, dy_w.get_desc() == bd.pd.diff_dst_desc() ? dy_w : bd.diff_dst.in(dy), w_folded, dx);
  dot_then_scale_columns(w, dw, scale, g.filter_size() / g.oc, g.oc, wdot);
}

}  // namespace xk
