#include "warp_rows_avx2.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "simd_dispatch.h"

#if XFER_HAS_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace xfer {

#if XFER_HAS_AVX2_KERNELS

bool CanWarpBilinearAvx2(const WarpSource& s) {
  const double span = (static_cast<double>(s.height) + 2 * WarpSource::kBorder) * static_cast<double>(s.stride);
  return HaveAvx2() && s.width >= 2 && s.height >= 2 && span < std::numeric_limits<int32_t>::max();
}

namespace {

// One axis of the sampling: where four coordinates take their taps from.
// Each step restates warp.cc's scalar function of the same name.
struct Axis {
  FillMode fill;
  int len;
  __m256d n, last, period;

  XFER_AVX2 Axis(FillMode f, int length)
      : fill(f),
        len(length),
        n(_mm256_set1_pd(length)),
        last(_mm256_set1_pd(length - 1.0)),
        period(_mm256_set1_pd(2.0 * length)) {}
};

XFER_AVX2 inline __m256d Negate(__m256d v) { return _mm256_xor_pd(v, _mm256_set1_pd(-0.0)); }
XFER_AVX2 inline __m256d Trunc(__m256d v) { return _mm256_round_pd(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC); }
XFER_AVX2 inline __m256d Lt(__m256d a, __m256d b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }

// std::min(std::max(c, 0.0), last): max/minpd return their second operand on
// ties and their first only when strictly greater/less, as std::max/min do.
XFER_AVX2 inline __m256d ClampToImage(__m256d c, const Axis& a) {
  return _mm256_min_pd(a.last, _mm256_max_pd(_mm256_setzero_pd(), c));
}

XFER_AVX2 inline __m256d MapReflect(__m256d c, const Axis& a) {
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

XFER_AVX2 inline __m256d MapWrap(__m256d c, const Axis& a) {
  const __m256d one = _mm256_set1_pd(1.0);
  // c < 0: c += n * (trunc(-c / (n-1)) + 1);  c >= 0: c -= n * trunc(c / (n-1))
  const __m256d below =
      _mm256_add_pd(c, _mm256_mul_pd(a.n, _mm256_add_pd(Trunc(_mm256_div_pd(Negate(c), a.last)), one)));
  const __m256d above = _mm256_sub_pd(c, _mm256_mul_pd(a.n, Trunc(_mm256_div_pd(c, a.last))));
  return ClampToImage(_mm256_blendv_pd(above, below, Lt(c, _mm256_setzero_pd())), a);
}

// MapRow: coordinates inside [0, len-1] stay; the others are mapped by the
// fill mode. Constant fill instead holds them to +-2^30 (HoldFar).
XFER_AVX2 inline __m256d MapCoordinates(__m256d c, const Axis& a) {
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

XFER_AVX2 inline Taps Split(__m256d c, const Axis& a) {
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

// Four output pixels' taps: frame offsets and weights. The kernel plans a
// chunk of blocks before blending them: the chain from coordinates to tap
// loads is long, and run block by block it stalls the blend. The weights
// are then read back by broadcast loads, which cost no shuffle.
struct alignas(16) BlockTaps {
  int32_t offset[4];
  float wx0[4], wx1[4], wy0[4], wy1[4];
};

// What every block of an image shares.
struct Geometry {
  Axis ax, ay;
  __m256d a0, a2, b0, b2;  // KerasRotationTransform's x and y rows, less the y terms
  __m128i stride;
};

// Output pixels xs (four, as doubles) of the row whose y terms are a_y, b_y.
XFER_AVX2 inline void PlanBlock(const Geometry& g, __m256d xs, __m256d a_y, __m256d b_y, BlockTaps& b) {
  // (k0*x + k1*y) + k2 in double, tfjs' order.
  const Taps tx = Split(MapCoordinates(_mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(g.a0, xs), a_y), g.a2), g.ax), g.ax);
  const Taps ty = Split(MapCoordinates(_mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(g.b0, xs), b_y), g.b2), g.ay), g.ay);
  _mm_store_si128(reinterpret_cast<__m128i*>(b.offset),
                  _mm_add_epi32(_mm_mullo_epi32(ty.lower, g.stride), _mm_slli_epi32(tx.lower, 2)));
  _mm_store_ps(b.wx0, tx.w_lower);
  _mm_store_ps(b.wx1, tx.w_upper);
  _mm_store_ps(b.wy0, ty.w_lower);
  _mm_store_ps(b.wy1, ty.w_upper);
}

// Output pixel k of the block: top = wx0*p00 + wx1*p01, bottom likewise
// from the next row, then wy0*top + wy1*bottom, then the normalization.
XFER_AVX2 inline __m128 BlendPixel(const WarpSource& s, const BlockTaps& b, int k, __m128 scale, __m128 offset) {
  const float* tap = s.origin + b.offset[k];
  const __m128 wx0 = _mm_broadcast_ss(&b.wx0[k]);
  const __m128 wx1 = _mm_broadcast_ss(&b.wx1[k]);
  const __m128 top = _mm_add_ps(_mm_mul_ps(wx0, _mm_loadu_ps(tap)), _mm_mul_ps(wx1, _mm_loadu_ps(tap + 4)));
  const __m128 bottom =
      _mm_add_ps(_mm_mul_ps(wx0, _mm_loadu_ps(tap + s.stride)), _mm_mul_ps(wx1, _mm_loadu_ps(tap + s.stride + 4)));
  const __m128 v =
      _mm_add_ps(_mm_mul_ps(_mm_broadcast_ss(&b.wy0[k]), top), _mm_mul_ps(_mm_broadcast_ss(&b.wy1[k]), bottom));
  return _mm_add_ps(_mm_mul_ps(v, scale), offset);
}

// Pixel x of a row of w: 4-float stores spill one float into the next
// pixel, which is written after it; the row's last pixel stores 3.
XFER_AVX2 inline void StorePixel(float* row, int x, int w, __m128 v) {
  if (x + 1 < w) {
    _mm_storeu_ps(row + 3 * x, v);
  } else if (x + 1 == w) {
    _mm_storel_pi(reinterpret_cast<__m64*>(row + 3 * x), v);
    _mm_store_ss(row + 3 * x + 2, _mm_movehl_ps(v, v));
  }
}

}  // namespace

XFER_AVX2 void WarpBilinearAvx2(const WarpSource& s, const std::array<float, 8>& t, FillMode fill, float scale,
                                float offset, float* out) {
  const int w = s.width;
  // The coefficients are float32 (as in TF and tfjs); coordinates are double.
  const Geometry g{Axis(fill, w),
                   Axis(fill, s.height),
                   _mm256_set1_pd(t[0]),
                   _mm256_set1_pd(t[2]),
                   _mm256_set1_pd(t[3]),
                   _mm256_set1_pd(t[5]),
                   _mm_set1_epi32(static_cast<int32_t>(s.stride))};
  const __m128 vscale = _mm_set1_ps(scale), voffset = _mm_set1_ps(offset);
  constexpr int kChunk = 16;  // blocks: 64 pixels
  BlockTaps taps[kChunk];
  for (int y = 0; y < s.height; ++y) {
    const __m256d a_y = _mm256_set1_pd(static_cast<double>(t[1]) * y);
    const __m256d b_y = _mm256_set1_pd(static_cast<double>(t[4]) * y);
    float* row = out + static_cast<size_t>(y) * w * 3;
    for (int chunk = 0; chunk < w; chunk += 4 * kChunk) {
      const int blocks = std::min(kChunk, (w - chunk + 3) / 4);
      __m256d xs = _mm256_add_pd(_mm256_set1_pd(chunk), _mm256_setr_pd(0.0, 1.0, 2.0, 3.0));
      for (int i = 0; i < blocks; ++i, xs = _mm256_add_pd(xs, _mm256_set1_pd(4.0))) PlanBlock(g, xs, a_y, b_y, taps[i]);
      for (int i = 0; i < blocks; ++i) {
        const int x = chunk + 4 * i;
        if (x + 4 < w) {
          for (int k = 0; k < 4; ++k) _mm_storeu_ps(row + 3 * (x + k), BlendPixel(s, taps[i], k, vscale, voffset));
        } else {
          for (int k = 0; k < 4; ++k) StorePixel(row, x + k, w, BlendPixel(s, taps[i], k, vscale, voffset));
        }
      }
    }
  }
}

#else

bool CanWarpBilinearAvx2(const WarpSource&) { return false; }

void WarpBilinearAvx2(const WarpSource&, const std::array<float, 8>&, FillMode, float, float, float*) {}

#endif

}  // namespace xfer
