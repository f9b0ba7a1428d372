// Counter-based randomness for the loader: every draw is a pure function of
// (seed, epoch, index, stream), so results do not depend on thread count,
// scheduling, batch composition or which images failed.
//
//   key(seed, epoch, index, stream) =
//     M(M(M(M(seed) ^ epoch) ^ index) ^ stream)
//   M(z) = splitmix64's output function of z + 0x9E3779B97F4A7C15
//   unit(k) = (k >> 11) * 2^-53                          in [0, 1)
//
// Per image (index = source index):
//   horizontal flip  = unit(key(.., 1)) < 0.5            (Keras: uniform < 0.5)
//   vertical flip    = unit(key(.., 2)) < 0.5
//   angle            = -f*2pi + unit(key(.., 3)) * 2*f*2pi   (Keras RandomRotation(f))
// Shuffle (index = i): Fisher-Yates from the end, j = key(.., i, 4) mod (i + 1).
// test/augment.test.ts restates these formulas independently with BigInt.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../ops/warp.h"

namespace xfer {

enum RandomStream : uint64_t {
  kStreamFlipHorizontal = 1,
  kStreamFlipVertical = 2,
  kStreamAngle = 3,
  kStreamShuffle = 4,
};

inline uint64_t SplitMix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline uint64_t DrawKey(uint64_t seed, uint64_t epoch, uint64_t index, uint64_t stream) {
  return SplitMix64(SplitMix64(SplitMix64(SplitMix64(seed) ^ epoch) ^ index) ^ stream);
}

inline double UnitInterval(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

// Keras RandomFlip(mode) + RandomRotation(factor, fill_mode, interpolation, fill_value).
struct AugmentSpec {
  bool flip_horizontal = false;
  bool flip_vertical = false;
  double rotation_factor = 0.0;  // fraction of 2*pi; 0 = no rotation
  FillMode fill = FillMode::kReflect;
  float fill_value = 0.0f;
  Interpolation interpolation = Interpolation::kBilinear;
};

struct AugmentDraw {
  bool flip_horizontal = false;
  bool flip_vertical = false;
  double angle = 0.0;
};

AugmentDraw DrawAugment(const AugmentSpec& spec, uint64_t seed, uint64_t epoch, uint64_t index);

// The order in which an epoch visits the sources: 0..n-1, or its seeded shuffle.
std::vector<uint32_t> EpochOrder(size_t n, bool shuffle, uint64_t seed, uint64_t epoch);

}  // namespace xfer
