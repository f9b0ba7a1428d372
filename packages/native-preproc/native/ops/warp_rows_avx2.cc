#include "warp_rows_avx2.h"

#include "simd_dispatch.h"

#if XFER_HAS_TARGET_CLONES
#include <immintrin.h>
#endif

namespace xfer {

#if XFER_HAS_TARGET_CLONES

bool HaveAvx2RowBlend() {
  static const bool avx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return avx2;
}

namespace {

// Pixel a in the low lane, pixel b in the high lane.
__attribute__((target("avx2"))) inline __m256 Pair(const float* a, const float* b) {
  return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(a)), _mm_loadu_ps(b), 1);
}

__attribute__((target("avx2"))) inline __m256 PairSplat(const float* w, int x) {
  return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_set1_ps(w[x])), _mm_set1_ps(w[x + 1]), 1);
}

}  // namespace

__attribute__((target("avx2"))) int BlendInsideRowAvx2(const FloatView& s, const RowTaps& taps, int count,
                                                        float scale, float offset, float* out) {
  // Locals, so the stores to `out` (a float*) cannot make the compiler
  // reload them every pixel.
  const float* const base = s.base;
  const ptrdiff_t row_step = s.row_step;
  const ptrdiff_t col_step = s.col_step;
  const int32_t last_x = s.width - 1;
  const int32_t last_y = s.height - 1;
  const int32_t* const xs = taps.x0;
  const int32_t* const ys = taps.y0;
  const __m256 vscale = _mm256_set1_ps(scale);
  const __m256 voffset = _mm256_set1_ps(offset);
  const int pairs_end = count & ~1;
  for (int x = 0; x < pairs_end; x += 2) {
    const float* r0[2];
    const float* r1[2];
    ptrdiff_t c0[2], c1[2];
    for (int k = 0; k < 2; ++k) {
      const int32_t x0 = xs[x + k];
      const int32_t y0 = ys[x + k];
      r0[k] = base + y0 * row_step;
      r1[k] = r0[k] + (y0 < last_y ? row_step : 0);
      c0[k] = x0 * col_step;
      c1[k] = c0[k] + (x0 < last_x ? col_step : 0);
    }
    const __m256 p00 = Pair(r0[0] + c0[0], r0[1] + c0[1]);
    const __m256 p01 = Pair(r0[0] + c1[0], r0[1] + c1[1]);
    const __m256 p10 = Pair(r1[0] + c0[0], r1[1] + c0[1]);
    const __m256 p11 = Pair(r1[0] + c1[0], r1[1] + c1[1]);
    const __m256 wx0 = PairSplat(taps.wx0, x);
    const __m256 wx1 = PairSplat(taps.wx1, x);
    const __m256 top = _mm256_add_ps(_mm256_mul_ps(wx0, p00), _mm256_mul_ps(wx1, p01));
    const __m256 bottom = _mm256_add_ps(_mm256_mul_ps(wx0, p10), _mm256_mul_ps(wx1, p11));
    const __m256 v = _mm256_add_ps(_mm256_mul_ps(PairSplat(taps.wy0, x), top),
                                   _mm256_mul_ps(PairSplat(taps.wy1, x), bottom));
    const __m256 o = _mm256_add_ps(_mm256_mul_ps(v, vscale), voffset);
    _mm_storeu_ps(out + 3 * x, _mm256_castps256_ps128(o));
    _mm_storeu_ps(out + 3 * x + 3, _mm256_extractf128_ps(o, 1));
  }
  return pairs_end;
}

#else

bool HaveAvx2RowBlend() { return false; }

int BlendInsideRowAvx2(const FloatView&, const RowTaps&, int, float, float, float*) { return 0; }

#endif

}  // namespace xfer
