// Four float lanes, used as one pixel (R, G, B, spare) by the resize and warp
// loops. SSE2 where available (the x86-64 baseline), else a plain struct
// doing the same IEEE operations in the same order, so both builds give
// identical bits.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define XFER_VEC4_SSE2 1
#else
#include <algorithm>
#define XFER_VEC4_SSE2 0
#endif

namespace xfer {

#if XFER_VEC4_SSE2
using Vec4 = __m128;
inline Vec4 Load4(const float* p) { return _mm_loadu_ps(p); }
inline Vec4 Splat4(float v) { return _mm_set1_ps(v); }
inline Vec4 Mul4(Vec4 a, Vec4 b) { return _mm_mul_ps(a, b); }
inline Vec4 Add4(Vec4 a, Vec4 b) { return _mm_add_ps(a, b); }
inline Vec4 Sub4(Vec4 a, Vec4 b) { return _mm_sub_ps(a, b); }
inline void Store4(float* out, Vec4 v) { _mm_storeu_ps(out, v); }
inline void Store3(float* out, Vec4 v) {
  alignas(16) float t[4];
  _mm_store_ps(t, v);
  std::memcpy(out, t, 3 * sizeof(float));
}
// Clamps to 0..255 and rounds half up, like every uint8 output here.
inline void Store3U8(uint8_t* out, Vec4 v) {
  v = _mm_min_ps(_mm_max_ps(v, _mm_setzero_ps()), _mm_set1_ps(255.0f));
  const __m128i i = _mm_cvttps_epi32(_mm_add_ps(v, _mm_set1_ps(0.5f)));
  alignas(16) int32_t t[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(t), i);
  out[0] = static_cast<uint8_t>(t[0]);
  out[1] = static_cast<uint8_t>(t[1]);
  out[2] = static_cast<uint8_t>(t[2]);
}
#else
struct Vec4 {
  float v[4];
};
inline Vec4 Load4(const float* p) { return Vec4{{p[0], p[1], p[2], p[3]}}; }
inline Vec4 Splat4(float s) { return Vec4{{s, s, s, s}}; }
inline Vec4 Mul4(Vec4 a, Vec4 b) { return Vec4{{a.v[0] * b.v[0], a.v[1] * b.v[1], a.v[2] * b.v[2], a.v[3] * b.v[3]}}; }
inline Vec4 Add4(Vec4 a, Vec4 b) { return Vec4{{a.v[0] + b.v[0], a.v[1] + b.v[1], a.v[2] + b.v[2], a.v[3] + b.v[3]}}; }
inline Vec4 Sub4(Vec4 a, Vec4 b) { return Vec4{{a.v[0] - b.v[0], a.v[1] - b.v[1], a.v[2] - b.v[2], a.v[3] - b.v[3]}}; }
inline void Store4(float* out, Vec4 v) { std::memcpy(out, v.v, 4 * sizeof(float)); }
inline void Store3(float* out, Vec4 v) { std::memcpy(out, v.v, 3 * sizeof(float)); }
inline void Store3U8(uint8_t* out, Vec4 v) {
  for (int c = 0; c < 3; ++c) {
    const float f = std::min(std::max(v.v[c], 0.0f), 255.0f);
    out[c] = static_cast<uint8_t>(static_cast<int32_t>(f + 0.5f));
  }
}
#endif

}  // namespace xfer
