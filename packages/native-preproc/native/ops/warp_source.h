// The image a rotation samples: float RGBx (a tap is one 4-float load),
// already flipped, and framed by kBorder pixels on every side. The frame is
// what keeps the sampling loops free of edge cases:
//  - a mapped coordinate (reflect, wrap, nearest) lies in [0, len-1], so its
//    upper tap is at most len, a frame pixel whose weight is exactly 0;
//  - constant fill holds each lower tap to [-kBorder, len], where both taps of
//    a tap pair that left the image land on frame pixels, which hold the fill
//    value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xfer {

struct WarpSource {
  static constexpr int kBorder = 2;

  const float* origin;  // logical pixel (0, 0)
  ptrdiff_t stride;     // floats from one row to the next
  int width;
  int height;

  const float* At(long x, long y) const { return origin + y * stride + x * 4; }
};

// Fills `storage` with the flipped, framed RGBx image of packed RGB8 `src`.
// `frame_value` must be finite: a frame pixel multiplied by a zero weight
// must give 0. Returns a view into `storage`.
WarpSource BuildWarpSource(const uint8_t* src, int width, int height, bool flip_h, bool flip_v, float frame_value,
                           std::vector<float>& storage);

}  // namespace xfer
