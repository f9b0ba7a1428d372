#include "eltwise.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace xk {
namespace {

// Below this many elements a thread hand-off costs more than it saves.
constexpr int64_t kParallelFrom = 1 << 15;

template <typename F>
void map_full(const float* a, const float* b, float* out, int64_t n, F f) {
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
  for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
}

template <typename F>
void map_scalar_b(const float* a, float b, float* out, int64_t n, F f) {
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
  for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b);
}

template <typename F>
void map_scalar_a(float a, const float* b, float* out, int64_t n, F f) {
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
  for (int64_t i = 0; i < n; ++i) out[i] = f(a, b[i]);
}

/**
 * `full` has n elements, `part` np, read as [outer, inner] against the output's [outer, n / np,
 * inner]: each of part's rows repeats over the output's middle axes.
 */
template <typename F>
void map_blocks(const float* full, const float* part, int64_t np, int64_t inner, float* out, int64_t n, bool part_is_a, F f) {
  const int64_t rows = n / inner;
  const int64_t repeats = n / np;
#pragma omp parallel for schedule(static) if (n >= kParallelFrom)
  for (int64_t r = 0; r < rows; ++r) {
    const float* fr = full + r * inner;
    const float* pr = part + (r / repeats) * inner;
    float* o = out + r * inner;
    if (part_is_a) {
#pragma omp simd
      for (int64_t j = 0; j < inner; ++j) o[j] = f(pr[j], fr[j]);
    } else {
#pragma omp simd
      for (int64_t j = 0; j < inner; ++j) o[j] = f(fr[j], pr[j]);
    }
  }
}

template <typename F>
void broadcast(const float* a, int64_t na, const float* b, int64_t nb, int64_t inner, float* out, int64_t n, F f) {
  if (na == n && nb == n) map_full(a, b, out, n, f);
  else if (nb == 1) map_scalar_b(a, b[0], out, n, f);
  else if (na == 1) map_scalar_a(a[0], b, out, n, f);
  else if (na == n) map_blocks(a, b, nb, inner, out, n, false, f);
  else map_blocks(b, a, na, inner, out, n, true, f);
}

}  // namespace

void binary(BinaryOp op, const float* a, int64_t na, const float* b, int64_t nb, int64_t inner, float* out, int64_t n) {
  switch (op) {
    case BinaryOp::kAdd: return broadcast(a, na, b, nb, inner, out, n, [](float x, float y) { return x + y; });
    case BinaryOp::kSub: return broadcast(a, na, b, nb, inner, out, n, [](float x, float y) { return x - y; });
    case BinaryOp::kMul: return broadcast(a, na, b, nb, inner, out, n, [](float x, float y) { return x * y; });
    case BinaryOp::kDiv: return broadcast(a, na, b, nb, inner, out, n, [](float x, float y) { return x / y; });
  }
}

void unary(UnaryOp op, const float* x, int64_t n, float alpha, float* out) {
  switch (op) {
    case UnaryOp::kRelu:
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
      for (int64_t i = 0; i < n; ++i) out[i] = x[i] < 0.f ? 0.f : x[i];  // NaN passes through, as in tfjs
      return;
    case UnaryOp::kStep:
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
      for (int64_t i = 0; i < n; ++i) out[i] = x[i] > 0.f ? 1.f : (x[i] != x[i] ? x[i] : alpha);
      return;
    case UnaryOp::kSqrt:
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
      for (int64_t i = 0; i < n; ++i) out[i] = std::sqrt(x[i]);
      return;
    case UnaryOp::kSquare:
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
      for (int64_t i = 0; i < n; ++i) out[i] = x[i] * x[i];
      return;
  }
}

namespace {

/**
 * out[c] = Σ_r term(r, c): each thread sums a band of rows into its own partial row of doubles,
 * then the partials are added.
 */
template <typename Term>
void sum_over_rows(int64_t rows, int64_t cols, float* out, Term term) {
  const int threads = rows * cols >= kParallelFrom ? omp_get_max_threads() : 1;
  std::vector<double> partial(static_cast<size_t>(threads) * cols, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    const int nt = omp_get_num_threads();
    double* acc = partial.data() + static_cast<int64_t>(t) * cols;
    const int64_t begin = rows * t / nt;
    const int64_t end = rows * (t + 1) / nt;
    for (int64_t r = begin; r < end; ++r) {
#pragma omp simd
      for (int64_t c = 0; c < cols; ++c) acc[c] += term(r * cols + c, c);
    }
  }
  for (int64_t c = 0; c < cols; ++c) {
    double s = 0;
    for (int t = 0; t < threads; ++t) s += partial[static_cast<size_t>(t) * cols + c];
    out[c] = static_cast<float>(s);
  }
}

}  // namespace

void sum_rows(const float* x, int64_t rows, int64_t cols, float* out) {
  sum_over_rows(rows, cols, out, [x](int64_t i, int64_t) { return static_cast<double>(x[i]); });
}

void mean_axes(const float* x, int64_t outer, int64_t reduce, int64_t inner, float* out) {
  const auto count = static_cast<float>(reduce);
  if (outer == 1) {
    sum_over_rows(reduce, inner, out, [x, count](int64_t i, int64_t) { return static_cast<double>(x[i] / count); });
    return;
  }
#pragma omp parallel for schedule(static) if (outer * reduce * inner >= kParallelFrom)
  for (int64_t o = 0; o < outer; ++o) {
    std::vector<double> acc(inner, 0.0);
    const float* block = x + o * reduce * inner;
    for (int64_t r = 0; r < reduce; ++r) {
#pragma omp simd
      for (int64_t i = 0; i < inner; ++i) acc[i] += static_cast<double>(block[r * inner + i] / count);
    }
    for (int64_t i = 0; i < inner; ++i) out[o * inner + i] = static_cast<float>(acc[i]);
  }
}

void relu_grad(const float* dy, const float* x, int64_t n, float* dx) {
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
  for (int64_t i = 0; i < n; ++i) {
    // dy is loaded whatever x is: a load inside the condition kept GCC from vectorising the loop
    // (7x slower).
    const float d = dy[i];
    dx[i] = x[i] > 0.f ? d : 0.f;
  }
}

void dot_then_scale_columns(const float* w, float* g, const float* s, int64_t rows, int64_t cols, float* dot) {
  // Each element is visited once, so scaling it after reading it for the dot is safe.
  sum_over_rows(rows, cols, dot, [=](int64_t i, int64_t c) {
    const double term = static_cast<double>(w[i]) * g[i];
    g[i] *= s[c];
    return term;
  });
}

void sum_centred_product(const float* dy, const float* x, const float* mean, int64_t rows, int64_t cols, float* out) {
  sum_over_rows(rows, cols, out, [=](int64_t i, int64_t c) {
    return static_cast<double>(dy[i]) * (static_cast<double>(x[i]) - mean[c]);
  });
}

}  // namespace xk
