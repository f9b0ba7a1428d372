#include "batch_norm.h"

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

}  // namespace xk
