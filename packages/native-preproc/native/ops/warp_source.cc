#include "warp_source.h"

#include <algorithm>

#include "simd_dispatch.h"

#if XFER_HAS_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace xfer {
namespace {

inline void ConvertPixel(const uint8_t* p, float* out) {
  out[0] = p[0];
  out[1] = p[1];
  out[2] = p[2];
  out[3] = 0.0f;
}

// Logical pixel x of the row is memory pixel w-1-x when flipped.
void ConvertRow(const uint8_t* row, int w, bool flip_h, float* out) {
  for (int x = 0; x < w; ++x) ConvertPixel(row + 3 * (flip_h ? w - 1 - x : x), out + 4 * x);
}

#if XFER_HAS_AVX2_KERNELS
// Four pixels per step: one 16-byte load (12 bytes used), a shuffle that
// spreads (and, flipped, reverses) them to RGB0, two widenings to float.
// A step whose load would pass `end` (the image's last bytes) is done pixel
// by pixel instead.
XFER_AVX2 void ConvertRowAvx2(const uint8_t* row, int w, bool flip_h, const uint8_t* end, float* out) {
  const __m128i spread = flip_h ? _mm_setr_epi8(9, 10, 11, -1, 6, 7, 8, -1, 3, 4, 5, -1, 0, 1, 2, -1)
                                : _mm_setr_epi8(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
  int x = 0;
  for (; x + 4 <= w; x += 4) {
    const uint8_t* first = row + 3 * (flip_h ? w - 4 - x : x);  // lowest address of the four
    if (first + 16 > end) {
      for (int k = 0; k < 4; ++k) ConvertPixel(row + 3 * (flip_h ? w - 1 - x - k : x + k), out + 4 * (x + k));
      continue;
    }
    const __m128i rgb0 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(first)), spread);
    _mm256_storeu_ps(out + 4 * x, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(rgb0)));
    _mm256_storeu_ps(out + 4 * x + 8, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_unpackhi_epi64(rgb0, rgb0))));
  }
  for (; x < w; ++x) ConvertPixel(row + 3 * (flip_h ? w - 1 - x : x), out + 4 * x);
}
#endif

}  // namespace

WarpSource BuildWarpSource(const uint8_t* src, int width, int height, bool flip_h, bool flip_v, float frame_value,
                           std::vector<float>& storage) {
  constexpr int b = WarpSource::kBorder;
  const size_t padded_w = static_cast<size_t>(width) + 2 * b;
  const size_t padded_h = static_cast<size_t>(height) + 2 * b;
  const size_t stride = padded_w * 4;
  if (storage.size() < stride * padded_h) storage.resize(stride * padded_h);
  float* base = storage.data();
  float* origin = base + b * stride + b * 4;

  const size_t row_bytes = static_cast<size_t>(width) * 3;
  auto source_row = [&](int y) { return src + static_cast<size_t>(flip_v ? height - 1 - y : y) * row_bytes; };
#if XFER_HAS_AVX2_KERNELS
  if (HaveAvx2()) {
    const uint8_t* end = src + row_bytes * static_cast<size_t>(height);
    for (int y = 0; y < height; ++y) ConvertRowAvx2(source_row(y), width, flip_h, end, origin + y * stride);
  } else
#endif
  {
    for (int y = 0; y < height; ++y) ConvertRow(source_row(y), width, flip_h, origin + y * stride);
  }

  // The frame: whole rows above and below, kBorder pixels left and right.
  std::fill(base, origin - b * 4, frame_value);
  std::fill(origin + height * stride - b * 4, base + stride * padded_h, frame_value);
  for (int y = 0; y < height; ++y) {
    float* row = origin + y * stride;
    std::fill(row - b * 4, row, frame_value);
    std::fill(row + static_cast<size_t>(width) * 4, row + static_cast<size_t>(width + b) * 4, frame_value);
  }
  return WarpSource{origin, static_cast<ptrdiff_t>(stride), width, height};
}

}  // namespace xfer
