// 2-D convolutions over tfjs layouts: NHWC activations and [kh, kw, in, out] filters
// ([kh, kw, C, multiplier] for depthwise), on oneDNN, without copying the activations.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>

namespace xk {

/** Geometry of one convolution, as tfjs resolves it (computeConv2DInfo). */
struct ConvGeometry {
  int64_t n, ih, iw, ic;  // input [N, H, W, C]
  int64_t oh, ow, oc;     // output [N, OH, OW, OC]
  int64_t kh, kw;
  int64_t sh, sw;
  int64_t dh, dw;          // dilation, 1 = none
  int64_t pad_top, pad_left, pad_bottom, pad_right;
  int64_t groups;          // 1 = dense; ic = depthwise
  int64_t input_size() const { return n * ih * iw * ic; }
  int64_t output_size() const { return n * oh * ow * oc; }
  int64_t filter_size() const { return kh * kw * (ic / groups) * oc; }
};

/** The filter as tfjs lays it out ([kh, kw, in, out]; depthwise [kh, kw, C, M]), described to oneDNN. */
dnnl::memory::desc tfjs_filter_desc(const ConvGeometry& g);

/** The filter's shape in `type`, its layout left to the primitive. */
dnnl::memory::desc any_filter_desc(const ConvGeometry& g, dnnl::memory::data_type type);

/** Fused post-processing of the forward pass. */
enum class Activation { kNone, kRelu, kRelu6 };

/** Returns an empty string when oneDNN can run the geometry, else why not. */
const char* check_geometry(const ConvGeometry& g);

/** y = act(conv(x, w) + bias); bias may be null. */
void conv_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                  Activation act, float* y);

/** dx = dL/dx given dy = dL/dy. */
void conv_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx);

/** dw = dL/dw given the forward input x and dy. */
void conv_backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw);

/**
 * Both gradients of a dense convolution whose filter is w·scale (a per-output-channel scale,
 * such as a batch norm folded into it), reading dy once: dx through w_folded = w·scale, and with
 * dF = dL/dw_folded, dw = dF·scale and wdot[o] = Σ_k w[k, o]·dF[k, o] (the scale's gradient
 * before the chain rule through it).
 */
void conv_backward_folded(const ConvGeometry& g, const float* x, const float* dy, const float* w, const float* w_folded,
                          const float* scale, float* dx, float* dw, float* wdot);

}  // namespace xk
