// The rotation kernel's shared parts, for the translation units that build it
// for one target each: warp_rows_avx2.cc and warp_rows_avx512.cc define
// XFER_KERNEL_TARGET (simd_dispatch.h) and then include this file. What
// differs between them is the planner, which turns 8 output pixels into
// their taps and weights; the fill mapping, the tap split, the blend and the
// row loop are here. Every step restates warp.cc's scalar function of the
// same name, with the same IEEE operations in the same order.
#pragma once

#ifndef XFER_KERNEL_TARGET
#error "define XFER_KERNEL_TARGET before including warp_rows_kernel.h"
#endif

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "warp.h"
#include "warp_source.h"

namespace xfer {
namespace {

// One axis of the sampling: where four coordinates take their taps from.
// Each step restates warp.cc's scalar function of the same name.
struct Axis {
  FillMode fill;
  int len;
  __m256d n, last, period;

  XFER_KERNEL_TARGET Axis(FillMode f, int length)
      : fill(f),
        len(length),
        n(_mm256_set1_pd(length)),
        last(_mm256_set1_pd(length - 1.0)),
        period(_mm256_set1_pd(2.0 * length)) {}
};

XFER_KERNEL_TARGET inline __m256d Negate(__m256d v) { return _mm256_xor_pd(v, _mm256_set1_pd(-0.0)); }
XFER_KERNEL_TARGET inline __m256d Trunc(__m256d v) { return _mm256_round_pd(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC); }
XFER_KERNEL_TARGET inline __m256d Lt(__m256d a, __m256d b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }

// std::min(std::max(c, 0.0), last): max/minpd return their second operand on
// ties and their first only when strictly greater/less, as std::max/min do.
XFER_KERNEL_TARGET inline __m256d ClampToImage(__m256d c, const Axis& a) {
  return _mm256_min_pd(a.last, _mm256_max_pd(_mm256_setzero_pd(), c));
}

XFER_KERNEL_TARGET inline __m256d MapReflect(__m256d c, const Axis& a) {
  const __m256d one = _mm256_set1_pd(1.0);
  // Within one period of 0 (nearly always) the quotients below round to
  // less than 1 in magnitude, so their trunc is 0 and the first step leaves
  // c unchanged; the divisions are skipped there.
  const __m256d near = _mm256_cmp_pd(_mm256_andnot_pd(_mm256_set1_pd(-0.0), c), a.period, _CMP_LT_OQ);
  const bool all_near = _mm256_movemask_pd(near) == 0xF;
  // c < 0: c += period * trunc(-c / period); c < -n ? c + period : -c - 1
  __m256d below = all_near ? c : _mm256_add_pd(c, _mm256_mul_pd(a.period, Trunc(_mm256_div_pd(Negate(c), a.period))));
  below = _mm256_blendv_pd(_mm256_sub_pd(Negate(below), one), _mm256_add_pd(below, a.period), Lt(below, Negate(a.n)));
  // c >= 0: c -= period * trunc(c / period); c >= n ? period - c - 1 : c
  __m256d above = all_near ? c : _mm256_sub_pd(c, _mm256_mul_pd(a.period, Trunc(_mm256_div_pd(c, a.period))));
  above = _mm256_blendv_pd(above, _mm256_sub_pd(_mm256_sub_pd(a.period, above), one),
                           _mm256_cmp_pd(above, a.n, _CMP_GE_OQ));
  return ClampToImage(_mm256_blendv_pd(above, below, Lt(c, _mm256_setzero_pd())), a);
}

XFER_KERNEL_TARGET inline __m256d MapWrap(__m256d c, const Axis& a) {
  const __m256d one = _mm256_set1_pd(1.0);
  // c < 0: c += n * (trunc(-c / (n-1)) + 1);  c >= 0: c -= n * trunc(c / (n-1))
  const __m256d below =
      _mm256_add_pd(c, _mm256_mul_pd(a.n, _mm256_add_pd(Trunc(_mm256_div_pd(Negate(c), a.last)), one)));
  const __m256d above = _mm256_sub_pd(c, _mm256_mul_pd(a.n, Trunc(_mm256_div_pd(c, a.last))));
  return ClampToImage(_mm256_blendv_pd(above, below, Lt(c, _mm256_setzero_pd())), a);
}

// MapRow: coordinates inside [0, len-1] stay; the others are mapped by the
// fill mode. Constant fill instead holds them to +-2^30 (HoldFar).
XFER_KERNEL_TARGET inline __m256d MapCoordinates(__m256d c, const Axis& a) {
  if (a.fill == FillMode::kConstant) {
    const __m256d far = _mm256_set1_pd(1073741824.0);
    return _mm256_min_pd(far, _mm256_max_pd(Negate(far), c));
  }
  const __m256d inside =
      _mm256_and_pd(_mm256_cmp_pd(c, _mm256_setzero_pd(), _CMP_GE_OQ), _mm256_cmp_pd(c, a.last, _CMP_LE_OQ));
  if (_mm256_movemask_pd(inside) == 0xF) return c;
  __m256d mapped;
  switch (a.fill) {
    case FillMode::kReflect: mapped = MapReflect(c, a); break;
    case FillMode::kWrap: mapped = MapWrap(c, a); break;
    default: mapped = ClampToImage(c, a); break;  // kNearest
  }
  return _mm256_blendv_pd(mapped, c, inside);
}

// SplitCoordinates for four coordinates: lower taps and the weights of the
// lower and upper taps. Constant fill then holds the lower tap to
// [-kBorder, len], where a pair of taps outside the image reads the frame.
struct Taps {
  __m128i lower;
  __m128 w_lower, w_upper;
};

XFER_KERNEL_TARGET inline Taps Split(__m256d c, const Axis& a) {
  const __m256d f = _mm256_floor_pd(c);
  Taps t;
  t.lower = _mm256_cvttpd_epi32(f);
  t.w_lower = _mm256_cvtpd_ps(_mm256_sub_pd(_mm256_add_pd(f, _mm256_set1_pd(1.0)), c));
  t.w_upper = _mm256_cvtpd_ps(_mm256_sub_pd(c, f));
  if (a.fill == FillMode::kConstant) {
    t.lower = _mm_min_epi32(_mm_set1_epi32(a.len), _mm_max_epi32(_mm_set1_epi32(-WarpSource::kBorder), t.lower));
  }
  return t;
}

// Eight output pixels' taps: frame offsets and weights. The kernel plans a
// chunk of blocks before blending them: the chain from coordinates to tap
// loads is long, and run block by block it stalls the blend. The weights
// are then read back by broadcast loads, which cost no shuffle.
struct alignas(32) BlockTaps {
  int32_t offset[8];
  float wx0[8], wx1[8], wy0[8], wy1[8];
};

// Output pixel k of the block: top = wx0*p00 + wx1*p01, bottom likewise
// from the next row, then wy0*top + wy1*bottom, then the normalization.
XFER_KERNEL_TARGET inline __m128 BlendPixel(const float* origin, ptrdiff_t stride, const BlockTaps& b, int k,
                                            __m128 scale, __m128 offset) {
  const float* tap = origin + b.offset[k];
  const __m128 wx0 = _mm_broadcast_ss(&b.wx0[k]);
  const __m128 wx1 = _mm_broadcast_ss(&b.wx1[k]);
  const __m128 top = _mm_add_ps(_mm_mul_ps(wx0, _mm_loadu_ps(tap)), _mm_mul_ps(wx1, _mm_loadu_ps(tap + 4)));
  const __m128 bottom =
      _mm_add_ps(_mm_mul_ps(wx0, _mm_loadu_ps(tap + stride)), _mm_mul_ps(wx1, _mm_loadu_ps(tap + stride + 4)));
  const __m128 v =
      _mm_add_ps(_mm_mul_ps(_mm_broadcast_ss(&b.wy0[k]), top), _mm_mul_ps(_mm_broadcast_ss(&b.wy1[k]), bottom));
  return _mm_add_ps(_mm_mul_ps(v, scale), offset);
}

// Pixel x of a row of w: 4-float stores spill one float into the next
// pixel, which is written after it; the row's last pixel stores 3.
XFER_KERNEL_TARGET inline void StorePixel(float* row, int x, int w, __m128 v) {
  if (x + 1 < w) {
    _mm_storeu_ps(row + 3 * x, v);
  } else if (x + 1 == w) {
    _mm_storel_pi(reinterpret_cast<__m64*>(row + 3 * x), v);
    _mm_store_ss(row + 3 * x + 2, _mm_movehl_ps(v, v));
  }
}

// The rows of the output: for each, the planner's Row(y), then chunks of 64
// pixels, each planned (Block(x, taps) for the pixels x..x+7) and then
// blended. The pixels of a row's last block past its end are planned and
// blended but not stored; their taps are inside the frame like any other.
template <typename Planner>
XFER_KERNEL_TARGET inline void WarpRowsWith(Planner& planner, const WarpSource& s, float scale, float offset,
                                            float* out) {
  const int w = s.width;
  // Locals, not s.origin and s.stride: after each store through `out` the
  // compiler would reload them.
  const float* const origin = s.origin;
  const ptrdiff_t stride = s.stride;
  const __m128 vscale = _mm_set1_ps(scale), voffset = _mm_set1_ps(offset);
  constexpr int kChunk = 8;  // blocks: 64 pixels
  BlockTaps taps[kChunk];
  for (int y = 0; y < s.height; ++y) {
    planner.Row(y);
    float* row = out + static_cast<size_t>(y) * w * 3;
    for (int chunk = 0; chunk < w; chunk += 8 * kChunk) {
      const int blocks = std::min(kChunk, (w - chunk + 7) / 8);
      for (int i = 0; i < blocks; ++i) planner.Block(chunk + 8 * i, taps[i]);
      for (int i = 0; i < blocks; ++i) {
        const int x = chunk + 8 * i;
        if (x + 8 < w) {
          for (int k = 0; k < 8; ++k) {
            _mm_storeu_ps(row + 3 * (x + k), BlendPixel(origin, stride, taps[i], k, vscale, voffset));
          }
        } else {
          for (int k = 0; k < 8; ++k) StorePixel(row, x + k, w, BlendPixel(origin, stride, taps[i], k, vscale, voffset));
        }
      }
    }
  }
}

}  // namespace
}  // namespace xfer
