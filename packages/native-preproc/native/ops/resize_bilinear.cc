#include "resize_bilinear.h"

#include <algorithm>
#include <cmath>

#include "resize_rows_avx2.h"
#include "resize_rows_avx512.h"
#include "simd_dispatch.h"
#include "vec4.h"

namespace xfer {
namespace {

// One source row of packed RGB8, interpolated horizontally to dst_w pixels
// of 3 floats. The taps are read as bytes and widened exactly, so the lerp
// sees the same floats as on a float copy of the row. Where hi == lo the
// weight is 0 and the right tap may be any finite value: past the row's end
// it is 0. `readable` is how many bytes from `row` on may be read (the AVX2
// loop loads 8 bytes per tap pair).
void HorizontalPass(const uint8_t* row, int src_w, size_t readable, const AxisTaps& taps, const HorizontalGroups* groups,
                    int dst_w, float* out, bool avx2) {
  const size_t* lo = taps.lo.data();
  const float* frac = taps.frac.data();
  int x = groups != nullptr ? HorizontalGroupsAvx512(row, readable, *groups, out) : 0;
  if (avx2) x = HorizontalPairsAvx2(row, readable, lo, frac, x, dst_w, out);
  for (; x < dst_w; ++x) {
    const uint8_t* left = row + 3 * lo[x];
    const bool has_right = lo[x] + 1 < static_cast<size_t>(src_w);
    for (int c = 0; c < 3; ++c) {
      const float a = left[c];
      const float b = has_right ? left[3 + c] : 0.0f;
      out[3 * x + c] = a + (b - a) * frac[x];
    }
  }
}

XFER_TARGET_CLONES
void VerticalPassF32(const float* top, const float* bottom, float fy, size_t n, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = top[i] + (bottom[i] - top[i]) * fy;
}

inline uint8_t LerpToU8(float top, float bottom, float fy) {
  float v = top + (bottom - top) * fy;
  v = std::min(std::max(v, 0.0f), 255.0f);
  return static_cast<uint8_t>(static_cast<int32_t>(v + 0.5f));  // round half up; v >= 0 here
}

// The compiler does not vectorise the clamp-and-round (std::min/max keep NaN
// semantics that maxps lacks, and a uint8_t* may alias the rows), so this
// spells out the same operations 16 samples at a time; inputs are finite.
void VerticalPassU8(const float* top, const float* bottom, float fy, size_t n, uint8_t* out, bool avx2) {
  size_t i = avx2 ? VerticalPassU8Avx2(top, bottom, fy, n, out) : 0;
#if XFER_VEC4_SSE2
  const __m128 weight = _mm_set1_ps(fy);
  const __m128 zero = _mm_setzero_ps();
  const __m128 max = _mm_set1_ps(255.0f);
  const __m128 half = _mm_set1_ps(0.5f);
  auto lane = [&](size_t k) {
    const __m128 t = _mm_loadu_ps(top + k);
    __m128 v = _mm_add_ps(t, _mm_mul_ps(_mm_sub_ps(_mm_loadu_ps(bottom + k), t), weight));
    v = _mm_min_ps(_mm_max_ps(v, zero), max);
    return _mm_cvttps_epi32(_mm_add_ps(v, half));
  };
  for (; i + 16 <= n; i += 16) {
    const __m128i lo = _mm_packs_epi32(lane(i), lane(i + 4));
    const __m128i hi = _mm_packs_epi32(lane(i + 8), lane(i + 12));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_packus_epi16(lo, hi));
  }
#endif
  for (; i < n; ++i) out[i] = LerpToU8(top[i], bottom[i], fy);
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
    // tfjs multiplies a zero difference there (even by a negative weight
    // below 0); a zero weight gives the same exact sum.
    taps.frac[i] = lo == hi ? 0.0f : static_cast<float>(src - lo);
  }
}

void ResizeBilinearRgb(const uint8_t* src, int src_w, int src_h, void* dst, int dst_w, int dst_h,
                       OutputType type, ResizeScratch& scratch) {
  PlanAxis(src_w, dst_w, scratch.x);
  PlanAxis(src_h, dst_h, scratch.y);
  const size_t row_len = static_cast<size_t>(dst_w) * 3;
  const size_t src_stride = static_cast<size_t>(src_w) * 3;
  // One float of padding: the AVX2 pass stores 4 floats per pixel.
  const size_t slot_len = row_len + 1;
  scratch.rows.resize(2 * slot_len);
  float* slot[2] = {scratch.rows.data(), scratch.rows.data() + slot_len};
  // Source row held in each slot. lo/hi never decrease with the output row,
  // so two slots mean each needed source row is interpolated once.
  size_t held[2] = {static_cast<size_t>(-1), static_cast<size_t>(-1)};
  const bool avx2 = HaveAvx2();
  const HorizontalGroups* groups = nullptr;
  if (HaveAvx512()) {
    PlanHorizontalGroups(scratch.x.lo.data(), scratch.x.frac.data(), dst_w, scratch.x_groups);
    groups = &scratch.x_groups;
  }

  auto find = [&](size_t y) { return held[0] == y ? 0 : (held[1] == y ? 1 : -1); };
  auto fill = [&](int s, size_t y) {
    HorizontalPass(src + y * src_stride, src_w, (src_h - y) * src_stride, scratch.x, groups, dst_w, slot[s], avx2);
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
      VerticalPassU8(top, bottom, fy, row_len, static_cast<uint8_t*>(dst) + r * row_len, avx2);
    }
  }
}

}  // namespace xfer
