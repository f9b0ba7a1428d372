#include "warp_rows_avx2.h"

#include <limits>

#include "simd_dispatch.h"

#if XFER_HAS_AVX2_KERNELS
#define XFER_KERNEL_TARGET XFER_AVX2
#include "warp_rows_kernel.h"
#endif

namespace xfer {

#if XFER_HAS_AVX2_KERNELS

bool CanWarpBilinearAvx2(const WarpSource& s) {
  const double span = (static_cast<double>(s.height) + 2 * WarpSource::kBorder) * static_cast<double>(s.stride);
  return HaveAvx2() && s.width >= 2 && s.height >= 2 && span < std::numeric_limits<int32_t>::max();
}

namespace {

// Plans a block as two halves of four pixels, one __m256d of coordinates
// each.
class PlannerAvx2 {
 public:
  XFER_AVX2 PlannerAvx2(const WarpSource& s, const std::array<float, 8>& t, FillMode fill)
      : ax_(fill, s.width),
        ay_(fill, s.height),
        t_(t),
        // The coefficients are float32 (as in TF and tfjs); coordinates are double.
        a0_(_mm256_set1_pd(t[0])),
        a2_(_mm256_set1_pd(t[2])),
        b0_(_mm256_set1_pd(t[3])),
        b2_(_mm256_set1_pd(t[5])),
        stride_(_mm_set1_epi32(static_cast<int32_t>(s.stride))) {}

  XFER_AVX2 void Row(int y) {
    a_y_ = _mm256_set1_pd(static_cast<double>(t_[1]) * y);
    b_y_ = _mm256_set1_pd(static_cast<double>(t_[4]) * y);
  }

  XFER_AVX2 void Block(int x, BlockTaps& b) const {
    const __m256d xs = _mm256_add_pd(_mm256_set1_pd(x), _mm256_setr_pd(0.0, 1.0, 2.0, 3.0));
    Half(xs, b, 0);
    Half(_mm256_add_pd(xs, _mm256_set1_pd(4.0)), b, 4);
  }

 private:
  // Pixels `xs` into lanes first..first+3 of the block. (k0*x + k1*y) + k2
  // in double, tfjs' order.
  XFER_AVX2 void Half(__m256d xs, BlockTaps& b, int first) const {
    const Taps tx = Split(MapCoordinates(_mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(a0_, xs), a_y_), a2_), ax_), ax_);
    const Taps ty = Split(MapCoordinates(_mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(b0_, xs), b_y_), b2_), ay_), ay_);
    _mm_store_si128(reinterpret_cast<__m128i*>(b.offset + first),
                    _mm_add_epi32(_mm_mullo_epi32(ty.lower, stride_), _mm_slli_epi32(tx.lower, 2)));
    _mm_store_ps(b.wx0 + first, tx.w_lower);
    _mm_store_ps(b.wx1 + first, tx.w_upper);
    _mm_store_ps(b.wy0 + first, ty.w_lower);
    _mm_store_ps(b.wy1 + first, ty.w_upper);
  }

  Axis ax_, ay_;
  std::array<float, 8> t_;
  __m256d a0_, a2_, b0_, b2_;
  __m128i stride_;
  __m256d a_y_ = _mm256_setzero_pd(), b_y_ = _mm256_setzero_pd();
};

}  // namespace

XFER_AVX2 void WarpBilinearAvx2(const WarpSource& s, const std::array<float, 8>& t, FillMode fill, float scale,
                                float offset, float* out) {
  PlannerAvx2 planner(s, t, fill);
  WarpRowsWith(planner, s, scale, offset, out);
}

#else

bool CanWarpBilinearAvx2(const WarpSource&) { return false; }

void WarpBilinearAvx2(const WarpSource&, const std::array<float, 8>&, FillMode, float, float, float*) {}

#endif

}  // namespace xfer
