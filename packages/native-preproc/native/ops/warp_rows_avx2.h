// The bilinear blend of one warped output row, two pixels per AVX2 operation,
// for the fill modes whose taps all lie inside the image (reflect, wrap,
// nearest) and float32 output: the Loader's hot path. Same IEEE operations in
// the same order as the 4-lane loop in warp.cc, so the bits are the same on
// every CPU; machines without AVX2 run that loop instead.
#pragma once

#include <cstdint>

#include "float_view.h"

namespace xfer {

// Per-pixel sample positions of one output row (see SplitCoordinates).
struct RowTaps {
  const int32_t* x0;
  const int32_t* y0;
  const float* wx0;
  const float* wx1;
  const float* wy0;
  const float* wy1;
};

// True when this build has the AVX2 row blend and the CPU runs it.
bool HaveAvx2RowBlend();

// Writes pixels [0, count) of the row to out (3 floats each), normalised by
// scale/offset. Each 4-float store spills one float into the next pixel, so
// count must stop short of the row's last pixel. Returns the number written
// (even, <= count); the caller finishes the rest.
int BlendInsideRowAvx2(const FloatView& s, const RowTaps& taps, int count, float scale, float offset, float* out);

}  // namespace xfer
