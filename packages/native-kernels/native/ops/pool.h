// Max pooling over NHWC tensors, with tfjs' window and tie rules (the first maximum in
// row-major window order wins; padding never wins).
#pragma once

#include <cstdint>

namespace xk {

struct PoolGeometry {
  int64_t n, ih, iw, c;
  int64_t oh, ow;
  int64_t kh, kw;  // effective (dilated) window
  int64_t sh, sw;
  int64_t dh, dw;
  int64_t pad_top, pad_left;
};

void max_pool(const PoolGeometry& g, const float* x, float* y);

/** dx[argmax of each window] += dy[window]; dx is fully written. */
void max_pool_grad(const PoolGeometry& g, const float* x, const float* dy, float* dx);

}  // namespace xk
