// Keras' Adam update over every variable of a step in one pass per element, instead of a dozen
// tfjs ops that each stream the 20.8M parameters of a fine-tune through memory.
#pragma once

#include <cstdint>
#include <vector>

namespace xk {

/** One variable's arrays, all of `size` floats. An output may be its input itself, never a shifted view of it. */
struct AdamSlot {
  const float* gradient;
  const float* m;
  const float* v;
  const float* value;
  float* m_out;
  float* v_out;
  float* value_out;
  int64_t size;
};

/** The step's constants, each already rounded to float as tfjs rounds scalar operands. */
struct AdamStep {
  float alpha;           // lr·√(1−β2^t)/(1−β1^t)
  float one_minus_beta1;
  float one_minus_beta2;
  float epsilon;
};

/**
 * m' = m + (g − m)(1−β1); v' = v + (g² − v)(1−β2); value' = value − m'·α / (√v' + ε), each
 * operation rounded to float in the order the tfjs ops take (no fused multiply-add), so the
 * result is bit-identical to those ops.
 */
void keras_adam(const std::vector<AdamSlot>& slots, const AdamStep& step);

}  // namespace xk
