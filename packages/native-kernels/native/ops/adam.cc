#include "adam.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

namespace xk {
namespace {

// Small enough that the 170 variables of Xception's fine-tune spread evenly over the threads.
constexpr int64_t kChunk = 1 << 16;

struct Chunk {
  const AdamSlot* slot;
  int64_t begin;
  int64_t end;
};

}  // namespace

void keras_adam(const std::vector<AdamSlot>& slots, const AdamStep& step) {
  std::vector<Chunk> chunks;
  for (const AdamSlot& s : slots) {
    for (int64_t b = 0; b < s.size; b += kChunk) chunks.push_back({&s, b, std::min(s.size, b + kChunk)});
  }
  const auto count = static_cast<int64_t>(chunks.size());
#pragma omp parallel for schedule(dynamic) if (count > 1)
  for (int64_t c = 0; c < count; ++c) {
    const AdamSlot& s = *chunks[c].slot;
#pragma omp simd
    for (int64_t i = chunks[c].begin; i < chunks[c].end; ++i) {
      const float g = s.gradient[i];
      const float m = s.m[i] + (g - s.m[i]) * step.one_minus_beta1;
      const float v = s.v[i] + (g * g - s.v[i]) * step.one_minus_beta2;
      s.m_out[i] = m;
      s.v_out[i] = v;
      s.value_out[i] = s.value[i] - (m * step.alpha) / (std::sqrt(v) + step.epsilon);
    }
  }
}

}  // namespace xk
