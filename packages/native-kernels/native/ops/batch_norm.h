// Inference-mode batch normalisation over a channels-last tensor.
#pragma once

#include <cstdint>

namespace xk {

/**
 * y = offset + (x − mean) · scale / sqrt(variance + epsilon), per channel of the last axis.
 * Each parameter has `channels` values or one value (broadcast); scale and offset may be null
 * (1 and 0).
 */
struct BatchNormParams {
  const float* mean;
  int64_t mean_len;
  const float* variance;
  int64_t variance_len;
  const float* scale;
  int64_t scale_len;
  const float* offset;
  int64_t offset_len;
  float epsilon;
};

void batch_norm_inference(const float* x, int64_t rows, int64_t channels, const BatchNormParams& p, float* y);

}  // namespace xk
