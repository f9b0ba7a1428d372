#include "batch_norm.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace xk {

namespace {
float at(const float* v, int64_t len, int64_t c, float fallback) {
  if (!v) return fallback;
  return len == 1 ? v[0] : v[c];
}
}  // namespace

void batch_norm_inference(const float* x, int64_t rows, int64_t channels, const BatchNormParams& p, float* y) {
  // One multiplier and one centre per channel, so the pass over x is a single fused multiply-add
  // chain the compiler vectorises; tfjs recomputes the division for every element.
  std::vector<float> mul(channels), mean(channels), offset(channels);
  for (int64_t c = 0; c < channels; ++c) {
    const double var = at(p.variance, p.variance_len, c, 0.f);
    mul[c] = static_cast<float>(at(p.scale, p.scale_len, c, 1.f) / std::sqrt(var + p.epsilon));
    mean[c] = at(p.mean, p.mean_len, c, 0.f);
    offset[c] = at(p.offset, p.offset_len, c, 0.f);
  }
  const float* m = mul.data();
  const float* mu = mean.data();
  const float* o = offset.data();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * channels;
    float* yr = y + r * channels;
#pragma omp simd
    for (int64_t c = 0; c < channels; ++c) yr[c] = o[c] + (xr[c] - mu[c]) * m[c];
  }
}

namespace {

/**
 * Per channel, Σ_r f(r, c) and Σ_r g(r, c) in double: each thread sums its band of rows into its
 * own partial rows, which are then added in thread order (deterministic for a thread count).
 */
template <typename F, typename G>
void channel_sums(int64_t rows, int64_t channels, F f, G g, std::vector<double>& sf, std::vector<double>& sg) {
  const int threads = omp_get_max_threads();
  std::vector<double> partial(static_cast<size_t>(threads) * 2 * channels, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    const int nt = omp_get_num_threads();
    double* pf = partial.data() + static_cast<int64_t>(t) * 2 * channels;
    double* pg = pf + channels;
    for (int64_t r = rows * t / nt; r < rows * (t + 1) / nt; ++r) {
#pragma omp simd
      for (int64_t c = 0; c < channels; ++c) {
        pf[c] += f(r * channels + c, c);
        pg[c] += g(r * channels + c, c);
      }
    }
  }
  sf.assign(channels, 0.0);
  sg.assign(channels, 0.0);
  for (int t = 0; t < threads; ++t) {
    const double* pf = partial.data() + static_cast<int64_t>(t) * 2 * channels;
    for (int64_t c = 0; c < channels; ++c) {
      sf[c] += pf[c];
      sg[c] += pf[channels + c];
    }
  }
}

}  // namespace

void batch_moments(const float* x, int64_t rows, int64_t channels, float* mean, float* variance) {
  std::vector<double> sum, squares;
  channel_sums(
      rows, channels, [x](int64_t i, int64_t) { return static_cast<double>(x[i]); },
      [x](int64_t i, int64_t) { return static_cast<double>(x[i]) * x[i]; }, sum, squares);
  for (int64_t c = 0; c < channels; ++c) {
    const double m = sum[c] / rows;
    mean[c] = static_cast<float>(m);
    variance[c] = static_cast<float>(std::max(0.0, squares[c] / rows - m * m));
  }
}

void batch_norm_training_grad(const BatchNormGradInputs& in, int64_t rows, int64_t channels, float* dx, float* dscale,
                              float* doffset) {
  const float* dy = in.dy;
  const float* x = in.x;
  const float* mean = in.mean;
  std::vector<double> sum_dy, sum_dy_xc;
  channel_sums(
      rows, channels, [dy](int64_t i, int64_t) { return static_cast<double>(dy[i]); },
      [dy, x, mean](int64_t i, int64_t c) { return static_cast<double>(dy[i]) * (static_cast<double>(x[i]) - mean[c]); },
      sum_dy, sum_dy_xc);
  std::vector<float> a(channels), b(channels), k(channels);
  const double n = static_cast<double>(rows);
  for (int64_t c = 0; c < channels; ++c) {
    const double rstd = 1.0 / std::sqrt(static_cast<double>(in.variance[c]) + in.epsilon);
    const double g = in.scale[c];
    a[c] = static_cast<float>(g * rstd);
    b[c] = static_cast<float>(-g * rstd * rstd * rstd * sum_dy_xc[c] / n + 2.0 * in.dvariance[c] / n);
    k[c] = static_cast<float>(-g * rstd * sum_dy[c] / n + in.dmean[c] / n);
    dscale[c] = static_cast<float>(sum_dy_xc[c] * rstd);
    doffset[c] = static_cast<float>(sum_dy[c]);
  }
  const float* pa = a.data();
  const float* pb = b.data();
  const float* pk = k.data();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* dyr = dy + r * channels;
    const float* xr = x + r * channels;
    float* dxr = dx + r * channels;
#pragma omp simd
    for (int64_t c = 0; c < channels; ++c) dxr[c] = pa[c] * dyr[c] + pb[c] * (xr[c] - mean[c]) + pk[c];
  }
}

}  // namespace xk
