#include "rng.h"

#include <numeric>
#include <utility>

namespace xfer {

AugmentDraw DrawAugment(const AugmentSpec& spec, uint64_t seed, uint64_t epoch, uint64_t index) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  AugmentDraw d;
  if (spec.flip_horizontal) d.flip_horizontal = UnitInterval(DrawKey(seed, epoch, index, kStreamFlipHorizontal)) < 0.5;
  if (spec.flip_vertical) d.flip_vertical = UnitInterval(DrawKey(seed, epoch, index, kStreamFlipVertical)) < 0.5;
  if (spec.rotation_factor > 0.0) {
    const double lower = -spec.rotation_factor * kTwoPi;
    const double upper = spec.rotation_factor * kTwoPi;
    d.angle = lower + UnitInterval(DrawKey(seed, epoch, index, kStreamAngle)) * (upper - lower);
  }
  return d;
}

std::vector<uint32_t> EpochOrder(size_t n, bool shuffle, uint64_t seed, uint64_t epoch) {
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  if (!shuffle) return order;
  for (size_t i = n; i-- > 1;) {
    // The modulo bias is below n / 2^64: invisible for any dataset size.
    const size_t j = static_cast<size_t>(DrawKey(seed, epoch, i, kStreamShuffle) % (i + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

}  // namespace xfer
