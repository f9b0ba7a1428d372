// Byte counts multiplied from caller-given sizes. src/limits.ts keeps those
// sizes far below any overflow; this keeps a direct caller of the addon from
// wrapping a size around to a small buffer.
#pragma once

#include <cstddef>
#include <limits>
#include <stdexcept>

namespace xfer {

inline size_t ByteProduct(size_t a, size_t b) {
  if (a != 0 && b > std::numeric_limits<size_t>::max() / a) throw std::length_error("a buffer size overflows size_t");
  return a * b;
}

}  // namespace xfer
