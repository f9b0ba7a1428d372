#include "resize_rows_avx512.h"

#include "simd_dispatch.h"

#if XFER_HAS_AVX2_KERNELS
#include <immintrin.h>
#endif

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 conversions and permutes start from an undefined vector,
// which -Wmaybe-uninitialized reports at every use (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace xfer {

void PlanHorizontalGroups(const size_t* lo, const float* frac, int dst_w, HorizontalGroups& g) {
  constexpr size_t kMaxSpan = 19;  // window pixels after the first: the last right tap ends at byte 63
  const size_t count = static_cast<size_t>(dst_w) / 8;
  g.first.resize(count);
  g.left.assign(64 * count, 0);
  g.right.assign(64 * count, 0);
  g.frac.assign(32 * count, 0.0f);
  g.groups = 0;
  for (size_t k = 0; k < count; ++k) {
    const size_t* group_lo = lo + 8 * k;
    if (group_lo[7] - group_lo[0] > kMaxSpan) break;  // lo only grows, so from here on none fits
    g.first[k] = group_lo[0];
    for (int j = 0; j < 24; ++j) {
      const size_t byte = 3 * (group_lo[j / 3] - group_lo[0]) + static_cast<size_t>(j % 3);
      g.left[64 * k + j] = static_cast<uint8_t>(byte);
      g.right[64 * k + j] = static_cast<uint8_t>(byte + 3);
      g.frac[32 * k + j] = frac[8 * k + j / 3];
    }
    g.groups = k + 1;
  }
}

#if XFER_HAS_AVX2_KERNELS

XFER_AVX512 int HorizontalGroupsAvx512(const uint8_t* row, size_t readable, const HorizontalGroups& g, float* out) {
  size_t k = 0;
  for (; k < g.groups && 3 * g.first[k] + 64 <= readable; ++k) {
    const __m512i window = _mm512_loadu_si512(row + 3 * g.first[k]);
    const __m512i left = _mm512_permutexvar_epi8(_mm512_loadu_si512(g.left.data() + 64 * k), window);
    const __m512i right = _mm512_permutexvar_epi8(_mm512_loadu_si512(g.right.data() + 64 * k), window);
    // Samples 0-15 in one 16-lane vector, 16-23 in an 8-lane one.
    const __m512 a0 = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm512_castsi512_si128(left)));
    const __m512 b0 = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm512_castsi512_si128(right)));
    const __m256 a1 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm512_extracti32x4_epi32(left, 1)));
    const __m256 b1 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm512_extracti32x4_epi32(right, 1)));
    const float* f = g.frac.data() + 32 * k;
    float* o = out + 24 * k;
    _mm512_storeu_ps(o, _mm512_add_ps(a0, _mm512_mul_ps(_mm512_sub_ps(b0, a0), _mm512_loadu_ps(f))));
    _mm256_storeu_ps(o + 16, _mm256_add_ps(a1, _mm256_mul_ps(_mm256_sub_ps(b1, a1), _mm256_loadu_ps(f + 16))));
  }
  return static_cast<int>(8 * k);
}

#else

int HorizontalGroupsAvx512(const uint8_t*, size_t, const HorizontalGroups&, float*) { return 0; }

#endif

}  // namespace xfer
