// Batch normalisation over a channels-last tensor: inference mode, and training mode's batch
// statistics and gradient.
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

/**
 * The batch statistics of training mode: per channel, the mean and the biased variance of the
 * `rows` values, from one pass that sums x and x² in double.
 */
void batch_moments(const float* x, int64_t rows, int64_t channels, float* mean, float* variance);

/** What the training-mode gradient reads: x's batch statistics, scale, and the upstream gradients. */
struct BatchNormGradInputs {
  const float* dy;
  const float* x;
  const float* mean;
  const float* variance;
  const float* scale;
  const float* dmean;      // upstream gradient of the mean output (zeros when unused)
  const float* dvariance;  // and of the variance output
  float epsilon;
};

/**
 * The gradient of y = scale·(x − mean)/√(variance + ε) + offset with mean and variance the batch
 * statistics of x, in two passes: per-channel sums Σdy and Σdy·(x − mean), then
 * dx = a·dy + b·(x − mean) + c with per-channel a, b, c (which fold in the statistics'
 * own upstream gradients). dscale and doffset are the per-channel sums scaled.
 */
void batch_norm_training_grad(const BatchNormGradInputs& in, int64_t rows, int64_t channels, float* dx, float* dscale,
                              float* doffset);

}  // namespace xk
