#include "warp_rows_avx512.h"

#include "simd_dispatch.h"

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 conversions start from an undefined vector, which
// -Wmaybe-uninitialized reports at every use (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#if XFER_HAS_AVX2_KERNELS
#define XFER_KERNEL_TARGET XFER_AVX512
#include "warp_rows_kernel.h"
#endif

namespace xfer {

#if XFER_HAS_AVX2_KERNELS

namespace {

// Plans a block as one __m512d of coordinates. Coordinates that leave the
// image are rare; a block with any is mapped as two halves by the AVX2
// mapping, so the fill modes have one vector form.
class PlannerAvx512 {
 public:
  XFER_AVX512 PlannerAvx512(const WarpSource& s, const std::array<float, 8>& t, FillMode fill)
      : ax_(fill, s.width),
        ay_(fill, s.height),
        t_(t),
        // The coefficients are float32 (as in TF and tfjs); coordinates are double.
        a0_(_mm512_set1_pd(t[0])),
        a2_(_mm512_set1_pd(t[2])),
        b0_(_mm512_set1_pd(t[3])),
        b2_(_mm512_set1_pd(t[5])),
        x_last_(_mm512_set1_pd(s.width - 1.0)),
        y_last_(_mm512_set1_pd(s.height - 1.0)),
        stride_(_mm256_set1_epi32(static_cast<int32_t>(s.stride))) {}

  XFER_AVX512 void Row(int y) {
    a_y_ = _mm512_set1_pd(static_cast<double>(t_[1]) * y);
    b_y_ = _mm512_set1_pd(static_cast<double>(t_[4]) * y);
  }

  XFER_AVX512 void Block(int x, BlockTaps& b) const {
    const __m512d xs = _mm512_add_pd(_mm512_set1_pd(x), _mm512_setr_pd(0, 1, 2, 3, 4, 5, 6, 7));
    // (k0*x + k1*y) + k2 in double, tfjs' order.
    const __m512d cx = Map(_mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(a0_, xs), a_y_), a2_), ax_, x_last_);
    const __m512d cy = Map(_mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(b0_, xs), b_y_), b2_), ay_, y_last_);
    const __m512d fx = _mm512_roundscale_pd(cx, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m512d fy = _mm512_roundscale_pd(cy, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m512d one = _mm512_set1_pd(1.0);
    _mm256_store_ps(b.wx0, _mm512_cvtpd_ps(_mm512_sub_pd(_mm512_add_pd(fx, one), cx)));
    _mm256_store_ps(b.wx1, _mm512_cvtpd_ps(_mm512_sub_pd(cx, fx)));
    _mm256_store_ps(b.wy0, _mm512_cvtpd_ps(_mm512_sub_pd(_mm512_add_pd(fy, one), cy)));
    _mm256_store_ps(b.wy1, _mm512_cvtpd_ps(_mm512_sub_pd(cy, fy)));
    const __m256i x0 = HoldTap(_mm512_cvttpd_epi32(fx), ax_);
    const __m256i y0 = HoldTap(_mm512_cvttpd_epi32(fy), ay_);
    _mm256_store_si256(reinterpret_cast<__m256i*>(b.offset),
                       _mm256_add_epi32(_mm256_mullo_epi32(y0, stride_), _mm256_slli_epi32(x0, 2)));
  }

 private:
  // MapCoordinates for eight coordinates.
  XFER_AVX512 static __m512d Map(__m512d c, const Axis& a, __m512d last) {
    if (a.fill == FillMode::kConstant) {
      const __m512d far = _mm512_set1_pd(1073741824.0);
      return _mm512_min_pd(far, _mm512_max_pd(_mm512_sub_pd(_mm512_setzero_pd(), far), c));
    }
    const __mmask8 inside = _mm512_cmp_pd_mask(c, _mm512_setzero_pd(), _CMP_GE_OQ) & _mm512_cmp_pd_mask(c, last, _CMP_LE_OQ);
    if (inside == 0xFF) return c;
    const __m256d lo = MapCoordinates(_mm512_castpd512_pd256(c), a);
    const __m256d hi = MapCoordinates(_mm512_extractf64x4_pd(c, 1), a);
    return _mm512_insertf64x4(_mm512_castpd256_pd512(lo), hi, 1);
  }

  // Split's constant-fill hold of the lower tap to [-kBorder, len].
  XFER_AVX512 static __m256i HoldTap(__m256i lower, const Axis& a) {
    if (a.fill != FillMode::kConstant) return lower;
    return _mm256_min_epi32(_mm256_set1_epi32(a.len), _mm256_max_epi32(_mm256_set1_epi32(-WarpSource::kBorder), lower));
  }

  Axis ax_, ay_;
  std::array<float, 8> t_;
  __m512d a0_, a2_, b0_, b2_;
  __m512d x_last_, y_last_;
  __m256i stride_;
  __m512d a_y_ = _mm512_setzero_pd(), b_y_ = _mm512_setzero_pd();
};

}  // namespace

XFER_AVX512 void WarpBilinearAvx512(const WarpSource& s, const std::array<float, 8>& t, FillMode fill, float scale,
                                    float offset, float* out) {
  PlannerAvx512 planner(s, t, fill);
  WarpRowsWith(planner, s, scale, offset, out);
}

#else

void WarpBilinearAvx512(const WarpSource&, const std::array<float, 8>&, FillMode, float, float, float*) {}

#endif

}  // namespace xfer
