// Elementwise maps and leading-axis sums over float32 arrays, across OpenMP threads. These are
// memory-bound; what they save over tfjs's JavaScript loops is the single thread and the
// per-element index arithmetic of its general broadcasting.
#pragma once

#include <cstdint>

namespace xk {

enum class BinaryOp { kAdd, kSub, kMul, kDiv };

/**
 * out = a op b, where one operand has n elements and the other, p, has n, one, or np elements read
 * as [np / inner, inner] against the output's [np / inner, n / np, inner]: an operand whose shape
 * is the output's with one run of axes set to 1, such as per-channel terms ([C] against NHWC,
 * inner = C) or a per-image one ([N, 1, 1, C], inner = C). np divides n and inner divides np.
 */
void binary(BinaryOp op, const float* a, int64_t na, const float* b, int64_t nb, int64_t inner, float* out, int64_t n);

enum class UnaryOp { kRelu, kStep, kSqrt, kSquare };

/** out = f(x); kStep is tfjs's step: 1 where x > 0, NaN where x is NaN, else `alpha`. */
void unary(UnaryOp op, const float* x, int64_t n, float alpha, float* out);

/** out[c] = Σ_r x[r·cols + c]: a sum over leading axes, accumulated in double. */
void sum_rows(const float* x, int64_t rows, int64_t cols, float* out);

/**
 * out[o·inner + i] = Σ_r x[(o·reduce + r)·inner + i] / reduce: a mean over a contiguous run of
 * axes, each term divided before it is summed in double, as tfjs's Mean does. With one outer
 * block the rows are split over the threads (the sum's order changes); otherwise the outer
 * blocks are, and the result is bit-identical to tfjs.
 */
void mean_axes(const float* x, int64_t outer, int64_t reduce, int64_t inner, float* out);

/** dx = dy where x > 0, else 0: the gradient of relu in one pass (tfjs: dy · step(x)). */
void relu_grad(const float* dy, const float* x, int64_t n, float* dx);

/**
 * dot[c] = Σ_r w[r·cols + c] · g[r·cols + c], accumulated in double, and g[r·cols + c] *= s[c],
 * in one pass: the gradient of a filter with a per-column scale folded into it.
 */
void dot_then_scale_columns(const float* w, float* g, const float* s, int64_t rows, int64_t cols, float* dot);

/** out[c] = Σ_r dy[r·cols + c] · (x[r·cols + c] − mean[c]), accumulated in double. */
void sum_centred_product(const float* dy, const float* x, const float* mean, int64_t rows, int64_t cols, float* out);

}  // namespace xk
