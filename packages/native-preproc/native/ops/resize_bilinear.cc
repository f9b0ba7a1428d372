#include "resize_bilinear.h"

#include <algorithm>
#include <cmath>

#include "simd_dispatch.h"

namespace xfer {
namespace {

// One source row, interpolated horizontally to dst_w pixels.
XFER_TARGET_CLONES
void HorizontalPass(const uint8_t* row, const size_t* lo, const size_t* hi, const float* frac, int dst_w,
                    float* out) {
  for (int x = 0; x < dst_w; ++x) {
    const uint8_t* l = row + lo[x] * 3;
    const uint8_t* r = row + hi[x] * 3;
    const float f = frac[x];
    for (int c = 0; c < 3; ++c) {
      const float a = l[c];
      out[3 * x + c] = a + (static_cast<float>(r[c]) - a) * f;
    }
  }
}

XFER_TARGET_CLONES
void VerticalPassF32(const float* top, const float* bottom, float fy, size_t n, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = top[i] + (bottom[i] - top[i]) * fy;
}

XFER_TARGET_CLONES
void VerticalPassU8(const float* top, const float* bottom, float fy, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    float v = top[i] + (bottom[i] - top[i]) * fy;
    v = std::min(std::max(v, 0.0f), 255.0f);
    out[i] = static_cast<uint8_t>(v + 0.5f);  // round half up; v >= 0 here
  }
}

}  // namespace

void PlanAxis(int in_size, int out_size, AxisTaps& taps) {
  taps.lo.resize(out_size);
  taps.hi.resize(out_size);
  taps.frac.resize(out_size);
  const double ratio = static_cast<double>(in_size) / static_cast<double>(out_size);
  const double last = static_cast<double>(in_size - 1);
  for (int i = 0; i < out_size; ++i) {
    const double src = ratio * (i + 0.5) - 0.5;
    const double lo = std::max(0.0, std::floor(src));
    const double hi = std::min(last, std::ceil(src));
    taps.lo[i] = static_cast<size_t>(lo);
    taps.hi[i] = static_cast<size_t>(hi);
    // Below 0 this is negative, but then lo == hi and it multiplies a zero
    // difference, exactly as in tfjs.
    taps.frac[i] = static_cast<float>(src - lo);
  }
}

void ResizeBilinearRgb(const uint8_t* src, int src_w, int src_h, void* dst, int dst_w, int dst_h,
                       OutputType type, ResizeScratch& scratch) {
  PlanAxis(src_w, dst_w, scratch.x);
  PlanAxis(src_h, dst_h, scratch.y);
  const size_t row_len = static_cast<size_t>(dst_w) * 3;
  const size_t src_stride = static_cast<size_t>(src_w) * 3;
  scratch.rows.resize(2 * row_len);
  float* slot[2] = {scratch.rows.data(), scratch.rows.data() + row_len};
  // Source row held in each slot. lo/hi never decrease with the output row,
  // so two slots mean each needed source row is interpolated once.
  size_t held[2] = {static_cast<size_t>(-1), static_cast<size_t>(-1)};

  auto find = [&](size_t y) { return held[0] == y ? 0 : (held[1] == y ? 1 : -1); };
  auto fill = [&](int s, size_t y) {
    HorizontalPass(src + y * src_stride, scratch.x.lo.data(), scratch.x.hi.data(), scratch.x.frac.data(), dst_w,
                   slot[s]);
    held[s] = y;
  };

  for (int r = 0; r < dst_h; ++r) {
    const size_t y_top = scratch.y.lo[r];
    const size_t y_bottom = scratch.y.hi[r];
    int s_top = find(y_top);
    if (s_top < 0) {
      s_top = find(y_bottom) == 0 ? 1 : 0;  // never evict the other row we need
      fill(s_top, y_top);
    }
    int s_bottom = find(y_bottom);
    if (s_bottom < 0) {
      s_bottom = 1 - s_top;
      fill(s_bottom, y_bottom);
    }
    const float* top = slot[s_top];
    const float* bottom = slot[s_bottom];
    const float fy = scratch.y.frac[r];
    if (type == OutputType::kFloat32) {
      VerticalPassF32(top, bottom, fy, row_len, static_cast<float*>(dst) + r * row_len);
    } else {
      VerticalPassU8(top, bottom, fy, row_len, static_cast<uint8_t*>(dst) + r * row_len);
    }
  }
}

}  // namespace xfer
