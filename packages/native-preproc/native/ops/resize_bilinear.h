// Bilinear resize with TF2 tf.image.resize semantics (half-pixel centres, no
// antialias, align_corners=false), arithmetic as tfjs-backend-cpu's
// resizeBilinear kernel:
//   src  = (dst + 0.5) * (in / out) - 0.5           (in double)
//   lo   = max(0, floor(src)),  hi = min(in - 1, ceil(src))
//   frac = src - lo                                  (from the clamped lo)
//   top  = tl + (tr - tl) * fx,  bottom = bl + (br - bl) * fx
//   out  = top + (bottom - top) * fy
// tfjs evaluates the lerps in double and stores float32; we evaluate them in
// float32, which differs by at most a few ULP of 255 (~3e-5).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "image.h"
#include "resize_rows_avx512.h"

namespace xfer {

// Per-axis sample positions, computed once per (in, out) pair so the pixel
// loops do no index arithmetic beyond loads.
struct AxisTaps {
  std::vector<size_t> lo;  // source index of the lower tap
  std::vector<size_t> hi;  // source index of the upper tap
  // Weight of the upper tap. Where hi == lo (edges, exact hits) it is 0, so
  // the loops may read lo + 1 instead of hi: the lerp adds an exact 0 either
  // way, and the row loads need no edge case.
  std::vector<float> frac;
};

void PlanAxis(int in_size, int out_size, AxisTaps& taps);

// Scratch a worker keeps across calls: the taps (and their AVX-512 groups)
// and the two horizontally interpolated rows that the vertical pass blends.
struct ResizeScratch {
  AxisTaps x;
  AxisTaps y;
  HorizontalGroups x_groups;
  std::vector<float> rows;
};

// Resizes packed RGB8 `src` (src_w x src_h) into `dst` (dst_w x dst_h x 3) as
// uint8 (rounded to nearest, clamped to 0..255) or float32 (unrounded).
void ResizeBilinearRgb(const uint8_t* src, int src_w, int src_h, void* dst, int dst_w, int dst_h,
                       OutputType type, ResizeScratch& scratch);

}  // namespace xfer
