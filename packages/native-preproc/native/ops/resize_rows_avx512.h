// The resize's horizontal pass in AVX-512 (with VBMI), 8 output pixels per
// step: one 64-byte load of the source row holds every tap of the 8 pixels
// while they span at most 20 source pixels, and two byte permutes pick the
// left and the right taps. That holds up to a ratio of about 2.7: 91% of the
// bench corpus's DCT-scaled images; wider groups take the AVX2 pass. The
// same IEEE operations in the same order as the portable loop in
// resize_bilinear.cc, so the same bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xfer {

// Per (source width, output width): for each group of 8 output pixels, where
// its window starts and which window bytes are its 24 left and 24 right tap
// samples; `groups` counts the groups from the row's start that fit a window.
struct HorizontalGroups {
  size_t groups = 0;
  std::vector<size_t> first;    // window start (a source pixel) per group
  std::vector<uint8_t> left;    // 64 permute indices per group; 24 used
  std::vector<uint8_t> right;   // the same for the right taps
  std::vector<float> frac;      // 32 per group: each sample's weight, 24 used
};

// Plans the groups from the horizontal taps: lo[x] and frac[x] for x < dst_w
// (resize_bilinear.h's AxisTaps).
void PlanHorizontalGroups(const size_t* lo, const float* frac, int dst_w, HorizontalGroups& g);

// The horizontal pass for the pixels of the planned groups, stopping early
// where a window's 64-byte load would pass `readable` bytes. Returns the
// number of pixels done, a multiple of 8. Only for a CPU where HaveAvx512().
int HorizontalGroupsAvx512(const uint8_t* row, size_t readable, const HorizontalGroups& g, float* out);

}  // namespace xfer
