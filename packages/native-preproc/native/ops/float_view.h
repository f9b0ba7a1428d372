// A packed RGBx float image as the rotation samples it: already flipped, so
// logical pixel (x, y) is the quadruple at Row(y) + Col(x).
#pragma once

#include <cstddef>

namespace xfer {

struct FloatView {
  const float* base;
  ptrdiff_t row_step;
  ptrdiff_t col_step;
  int width;
  int height;

  FloatView(const float* rgbx, int w, int h, bool flip_h, bool flip_v) : width(w), height(h) {
    const ptrdiff_t stride = static_cast<ptrdiff_t>(w) * 4;
    row_step = flip_v ? -stride : stride;
    col_step = flip_h ? -4 : 4;
    base = rgbx + (flip_v ? static_cast<ptrdiff_t>(h - 1) * stride : 0) + (flip_h ? static_cast<ptrdiff_t>(w - 1) * 4 : 0);
  }
  const float* Row(long y) const { return base + y * row_step; }
  ptrdiff_t Col(long x) const { return x * col_step; }
  const float* At(long x, long y) const { return Row(y) + Col(x); }
  bool Inside(long x, long y) const { return x >= 0 && y >= 0 && x < width && y < height; }
};

}  // namespace xfer
