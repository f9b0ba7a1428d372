#include "resize_rows_avx2.h"

#include "simd_dispatch.h"

#if XFER_HAS_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace xfer {

#if XFER_HAS_AVX2_KERNELS

XFER_AVX2 int HorizontalPairsAvx2(const uint8_t* row, size_t readable, const size_t* lo, const float* frac,
                                  int x_begin, int dst_w, float* out) {
  // Bytes 0-2 of each 8-byte load are the left tap, 3-5 the right one: the
  // shuffle gathers both pixels' left taps, then both right taps, as RGB0.
  const __m128i taps = _mm_setr_epi8(0, 1, 2, -1, 8, 9, 10, -1, 3, 4, 5, -1, 11, 12, 13, -1);
  // The last pixel is left to the caller: its 4-float store would need the
  // row's padding float, which only the caller's loop knows about. lo only
  // grows, so the first pair whose load would pass `readable` ends the loop.
  const int n = (dst_w - 1) & ~1;
  int x = x_begin;
  for (; x < n && 3 * lo[x + 1] + 8 <= readable; x += 2) {
    const __m128i q0 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(row + 3 * lo[x]));
    const __m128i q1 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(row + 3 * lo[x + 1]));
    const __m128i both = _mm_shuffle_epi8(_mm_unpacklo_epi64(q0, q1), taps);
    const __m256 a = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(both));
    const __m256 b = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_unpackhi_epi64(both, both)));
    const __m256 f = _mm256_set_m128(_mm_broadcast_ss(frac + x + 1), _mm_broadcast_ss(frac + x));
    const __m256 v = _mm256_add_ps(a, _mm256_mul_ps(_mm256_sub_ps(b, a), f));
    // Each 4-float store spills into the next pixel, which is written after it.
    _mm_storeu_ps(out + 3 * x, _mm256_castps256_ps128(v));
    _mm_storeu_ps(out + 3 * x + 3, _mm256_extractf128_ps(v, 1));
  }
  return x;
}

namespace {

XFER_AVX2 inline __m256i LerpToI32(const float* top, const float* bottom, __m256 fy) {
  const __m256 t = _mm256_loadu_ps(top);
  __m256 v = _mm256_add_ps(t, _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(bottom), t), fy));
  v = _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(255.0f));
  return _mm256_cvttps_epi32(_mm256_add_ps(v, _mm256_set1_ps(0.5f)));
}

}  // namespace

XFER_AVX2 size_t VerticalPassU8Avx2(const float* top, const float* bottom, float fy, size_t n, uint8_t* out) {
  const __m256 weight = _mm256_set1_ps(fy);
  // The packs work within 128-bit halves; this restores sample order.
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i lo = _mm256_packs_epi32(LerpToI32(top + i, bottom + i, weight),
                                          LerpToI32(top + i + 8, bottom + i + 8, weight));
    const __m256i hi = _mm256_packs_epi32(LerpToI32(top + i + 16, bottom + i + 16, weight),
                                          LerpToI32(top + i + 24, bottom + i + 24, weight));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        _mm256_permutevar8x32_epi32(_mm256_packus_epi16(lo, hi), order));
  }
  return i;
}

#else

int HorizontalPairsAvx2(const uint8_t*, size_t, const size_t*, const float*, int x_begin, int, float*) {
  return x_begin;
}
size_t VerticalPassU8Avx2(const float*, const float*, float, size_t, uint8_t*) { return 0; }

#endif

}  // namespace xfer
