// Batched matrix products over row-major float32 arrays, on oneDNN's matmul primitive.
#pragma once

#include <cstdint>

namespace xk {

/**
 * out[b] = op(a[b]) · op(b[b]) for b < max(batch_a, batch_b), where op transposes when asked and
 * a batch of 1 broadcasts. a is [batch_a, m, k] ([batch_a, k, m] transposed), b is [batch_b, k, n]
 * ([batch_b, n, k] transposed), out is [batch, m, n].
 */
struct MatMulShape {
  int64_t batch_a, batch_b, m, k, n;
  bool transpose_a, transpose_b;
};

void batch_matmul(const MatMulShape& s, const float* a, const float* b, float* out);

}  // namespace xk
