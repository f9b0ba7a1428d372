#include "warp.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <type_traits>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define XFER_WARP_SSE2 1
#else
#define XFER_WARP_SSE2 0
#endif

#include "simd_dispatch.h"

namespace xfer {
namespace {

// ---- fill modes: where an input coordinate outside [0, len-1] samples from.
// Each restates TF's MapCoordinate<fill_mode> (image_ops.h), including the
// final clamp to [0, len-1] that keeps rounding inside the image.

inline double ClampToImage(double c, int len) { return std::min(std::max(c, 0.0), static_cast<double>(len - 1)); }

// (d c b a | a b c d | d c b a): mirror about the outer pixel edges.
inline double MapReflect(double c, int len) {
  const double n = len;
  if (c >= 0.0 && c <= n - 1.0) return c;  // the common case
  if (len <= 1) return 0.0;
  const double period = 2.0 * n;
  if (c < 0.0) {
    c += period * std::trunc(-c / period);  // now in (-period, 0]
    c = c < -n ? c + period : -c - 1.0;
  } else {
    c -= period * std::trunc(c / period);  // now in [0, period)
    if (c >= n) c = period - c - 1.0;
  }
  return ClampToImage(c, len);
}

// (a b c d | a b c d | a b c d). TF divides by len - 1 (not len) to count
// the periods; kept as is so that results match TF and tfjs.
inline double MapWrap(double c, int len) {
  const double n = len;
  if (c >= 0.0 && c <= n - 1.0) return c;
  if (len <= 1) return 0.0;
  const double span = n - 1.0;
  if (c < 0.0) {
    c += n * (std::trunc(-c / span) + 1.0);
  } else {
    c -= n * std::trunc(c / span);
  }
  return ClampToImage(c, len);
}

template <FillMode M>
inline double MapCoord(double c, int len) {
  if constexpr (M == FillMode::kReflect) return MapReflect(c, len);
  if constexpr (M == FillMode::kWrap) return MapWrap(c, len);
  if constexpr (M == FillMode::kNearest) return ClampToImage(c, len);
  return c;  // kConstant: out-of-range taps read the fill value instead
}

// Half away from zero, as std::round in TF's nearest_interpolation.
inline long RoundHalfAway(double v) {
  return static_cast<long>(v < 0.0 ? -std::floor(-v + 0.5) : std::floor(v + 0.5));
}

// ---- 4-lane float vectors (R, G, B, unused). SSE2 where available, else a
// scalar struct doing the same float operations in the same order, so both
// give identical bits.
#if XFER_WARP_SSE2
using Vec = __m128;
inline Vec Load(const float* p) { return _mm_loadu_ps(p); }
inline Vec Splat(float v) { return _mm_set1_ps(v); }
inline Vec Mul(Vec a, Vec b) { return _mm_mul_ps(a, b); }
inline Vec Add(Vec a, Vec b) { return _mm_add_ps(a, b); }
inline void Store4(float* out, Vec v) { _mm_storeu_ps(out, v); }
inline void Store3(float* out, Vec v) {
  alignas(16) float t[4];
  _mm_store_ps(t, v);
  out[0] = t[0];
  out[1] = t[1];
  out[2] = t[2];
}
inline void StoreU8(uint8_t* out, Vec v) {
  v = _mm_min_ps(_mm_max_ps(v, _mm_setzero_ps()), _mm_set1_ps(255.0f));
  const __m128i i = _mm_cvttps_epi32(_mm_add_ps(v, _mm_set1_ps(0.5f)));
  alignas(16) int32_t t[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(t), i);
  out[0] = static_cast<uint8_t>(t[0]);
  out[1] = static_cast<uint8_t>(t[1]);
  out[2] = static_cast<uint8_t>(t[2]);
}
#else
struct Vec {
  float v[4];
};
inline Vec Load(const float* p) { return Vec{{p[0], p[1], p[2], p[3]}}; }
inline Vec Splat(float s) { return Vec{{s, s, s, s}}; }
inline Vec Mul(Vec a, Vec b) { return Vec{{a.v[0] * b.v[0], a.v[1] * b.v[1], a.v[2] * b.v[2], a.v[3] * b.v[3]}}; }
inline Vec Add(Vec a, Vec b) { return Vec{{a.v[0] + b.v[0], a.v[1] + b.v[1], a.v[2] + b.v[2], a.v[3] + b.v[3]}}; }
inline void Store4(float* out, Vec v) { std::memcpy(out, v.v, 4 * sizeof(float)); }
inline void Store3(float* out, Vec v) { std::memcpy(out, v.v, 3 * sizeof(float)); }
inline void StoreU8(uint8_t* out, Vec v) {
  for (int c = 0; c < 3; ++c) {
    const float f = std::min(std::max(v.v[c], 0.0f), 255.0f);
    out[c] = static_cast<uint8_t>(static_cast<int32_t>(f + 0.5f));
  }
}
#endif

// Writes one output pixel. `last` is the last pixel of the image row: a
// 4-float store there could run past the end of the output.
inline void Put(float* out, Vec v, bool last) {
  if (last) {
    Store3(out, v);
  } else {
    Store4(out, v);  // the 4th float is the next pixel's R, written next
  }
}
inline void Put(uint8_t* out, Vec v, bool /*last*/) { StoreU8(out, v); }

// The source as the rotation sees it: already flipped. Logical pixel (x, y)
// is the RGBx float quadruple at base + y*row_step + x*col_step.
struct FloatView {
  const float* base;
  ptrdiff_t row_step;
  ptrdiff_t col_step;
  int width;
  int height;

  FloatView(const float* rgbx, int w, int h, bool flip_h, bool flip_v) : width(w), height(h) {
    const ptrdiff_t stride = static_cast<ptrdiff_t>(w) * 4;
    row_step = flip_v ? -stride : stride;
    col_step = flip_h ? -4 : 4;
    base = rgbx + (flip_v ? static_cast<ptrdiff_t>(h - 1) * stride : 0) + (flip_h ? static_cast<ptrdiff_t>(w - 1) * 4 : 0);
  }
  const float* At(long x, long y) const { return base + y * row_step + x * col_step; }
  bool Inside(long x, long y) const { return x >= 0 && y >= 0 && x < width && y < height; }
};

XFER_TARGET_CLONES
void ToRgbx(const uint8_t* src, size_t pixels, float* out) {
  for (size_t i = 0; i < pixels; ++i) {
    out[4 * i + 0] = src[3 * i + 0];
    out[4 * i + 1] = src[3 * i + 1];
    out[4 * i + 2] = src[3 * i + 2];
    out[4 * i + 3] = 0.0f;
  }
}

template <FillMode M, Interpolation I, typename Out>
XFER_TARGET_CLONES void WarpGeneral(const FloatView s, const std::array<float, 8> t, const float fill_value,
                                    const float scale, const float offset, Out* out) {
  // The coefficients are float32 (as in TF and tfjs); coordinates are double,
  // evaluated as tfjs does: (a0*x + a1*y) + a2.
  const double a0 = t[0], a1 = t[1], a2 = t[2];
  const double b0 = t[3], b1 = t[4], b2 = t[5];
  const int w = s.width;
  const int h = s.height;
  const Vec vscale = Splat(scale);
  const Vec voffset = Splat(offset);
  const Vec vfill = Splat(fill_value);
  for (int y = 0; y < h; ++y) {
    const double ay = a1 * y;
    const double by = b1 * y;
    Out* row = out + static_cast<size_t>(y) * w * 3;
    for (int x = 0; x < w; ++x) {
      const double ix = MapCoord<M>((a0 * x + ay) + a2, w);
      const double iy = MapCoord<M>((b0 * x + by) + b2, h);
      Vec v;
      if constexpr (I == Interpolation::kNearest) {
        const long nx = RoundHalfAway(ix);
        const long ny = RoundHalfAway(iy);
        v = (M != FillMode::kConstant || s.Inside(nx, ny)) ? Load(s.At(nx, ny)) : vfill;
      } else {
        const double fx0 = std::floor(ix);
        const double fy0 = std::floor(iy);
        const Vec wx0 = Splat(static_cast<float>((fx0 + 1.0) - ix));  // weight of column x0
        const Vec wx1 = Splat(static_cast<float>(ix - fx0));          // weight of column x0 + 1
        const Vec wy0 = Splat(static_cast<float>((fy0 + 1.0) - iy));
        const Vec wy1 = Splat(static_cast<float>(iy - fy0));
        const long x0 = static_cast<long>(fx0);
        const long y0 = static_cast<long>(fy0);
        Vec p00, p01, p10, p11;
        if (M != FillMode::kConstant || (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h)) {
          // Mapped coordinates lie in [0, len-1]; x0 + 1 falls outside only
          // when its weight is exactly 0, and then any pixel contributes the
          // same 0 as the fill value would.
          const long x1 = std::min<long>(x0 + 1, w - 1);
          const long y1 = std::min<long>(y0 + 1, h - 1);
          p00 = Load(s.At(x0, y0));
          p01 = Load(s.At(x1, y0));
          p10 = Load(s.At(x0, y1));
          p11 = Load(s.At(x1, y1));
        } else {
          p00 = s.Inside(x0, y0) ? Load(s.At(x0, y0)) : vfill;
          p01 = s.Inside(x0 + 1, y0) ? Load(s.At(x0 + 1, y0)) : vfill;
          p10 = s.Inside(x0, y0 + 1) ? Load(s.At(x0, y0 + 1)) : vfill;
          p11 = s.Inside(x0 + 1, y0 + 1) ? Load(s.At(x0 + 1, y0 + 1)) : vfill;
        }
        const Vec top = Add(Mul(wx0, p00), Mul(wx1, p01));
        const Vec bottom = Add(Mul(wx0, p10), Mul(wx1, p11));
        v = Add(Mul(wy0, top), Mul(wy1, bottom));
      }
      Put(row + 3 * x, Add(Mul(v, vscale), voffset), x + 1 == w);
    }
  }
}

template <FillMode M, typename Out>
void DispatchInterpolation(const FloatView& s, const std::array<float, 8>& t, const WarpParams& p, Out* out) {
  if (p.interpolation == Interpolation::kNearest) {
    WarpGeneral<M, Interpolation::kNearest>(s, t, p.fill_value, p.scale, p.offset, out);
  } else {
    WarpGeneral<M, Interpolation::kBilinear>(s, t, p.fill_value, p.scale, p.offset, out);
  }
}

template <typename Out>
void DispatchFill(const FloatView& s, const std::array<float, 8>& t, const WarpParams& p, Out* out) {
  switch (p.fill) {
    case FillMode::kWrap: return DispatchInterpolation<FillMode::kWrap>(s, t, p, out);
    case FillMode::kConstant: return DispatchInterpolation<FillMode::kConstant>(s, t, p, out);
    case FillMode::kNearest: return DispatchInterpolation<FillMode::kNearest>(s, t, p, out);
    case FillMode::kReflect: break;
  }
  DispatchInterpolation<FillMode::kReflect>(s, t, p, out);
}

// ---- angle 0: flips and normalization only. The row loops are plain
// conversions, so the compiler vectorises them (one clone per SIMD level).
// They compute float(u8) * scale + offset, the same operations as the
// rotation path's last step.

XFER_TARGET_CLONES
void RowToF32(const uint8_t* src, size_t n, float scale, float offset, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(src[i]) * scale + offset;
}

inline uint8_t ToU8(float f) {
  f = std::min(std::max(f, 0.0f), 255.0f);
  return static_cast<uint8_t>(static_cast<int32_t>(f + 0.5f));
}

XFER_TARGET_CLONES
void RowToU8(const uint8_t* src, size_t n, float scale, float offset, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) out[i] = ToU8(static_cast<float>(src[i]) * scale + offset);
}

template <typename Out>
void FlipOnly(const uint8_t* src, int w, int h, const WarpParams& p, Out* out) {
  const size_t row_len = static_cast<size_t>(w) * 3;
  for (int y = 0; y < h; ++y) {
    Out* o = out + static_cast<size_t>(y) * row_len;
    const uint8_t* row = src + static_cast<size_t>(p.flip_vertical ? h - 1 - y : y) * row_len;
    if (!p.flip_horizontal) {
      if constexpr (std::is_same_v<Out, float>) {
        RowToF32(row, row_len, p.scale, p.offset, o);
      } else {
        RowToU8(row, row_len, p.scale, p.offset, o);
      }
      continue;
    }
    for (int x = 0; x < w; ++x) {
      const uint8_t* px = row + static_cast<size_t>(w - 1 - x) * 3;
      for (int c = 0; c < 3; ++c) {
        const float f = static_cast<float>(px[c]) * p.scale + p.offset;
        if constexpr (std::is_same_v<Out, float>) {
          o[3 * x + c] = f;
        } else {
          o[3 * x + c] = ToU8(f);
        }
      }
    }
  }
}

template <typename Out>
void Augment(const uint8_t* src, int width, int height, const WarpParams& params, Out* out, WarpScratch& scratch) {
  if (params.angle == 0.0) {
    FlipOnly(src, width, height, params, out);
    return;
  }
  const size_t pixels = static_cast<size_t>(width) * static_cast<size_t>(height);
  if (scratch.rgbx.size() < pixels * 4) scratch.rgbx.resize(pixels * 4);
  ToRgbx(src, pixels, scratch.rgbx.data());
  const FloatView view(scratch.rgbx.data(), width, height, params.flip_horizontal, params.flip_vertical);
  DispatchFill(view, KerasRotationTransform(params.angle, width, height), params, out);
}

}  // namespace

std::array<float, 8> KerasRotationTransform(double angle, int width, int height) {
  const double c = std::cos(angle);
  const double s = std::sin(angle);
  const double wm = static_cast<double>(width) - 1.0;
  const double hm = static_cast<double>(height) - 1.0;
  const double x_offset = (wm - (c * wm - s * hm)) / 2.0;
  const double y_offset = (hm - (s * wm + c * hm)) / 2.0;
  return {static_cast<float>(c), static_cast<float>(-s), static_cast<float>(x_offset),
          static_cast<float>(s), static_cast<float>(c), static_cast<float>(y_offset),
          0.0f, 0.0f};
}

void AugmentRgb(const uint8_t* src, int width, int height, const WarpParams& params, void* dst, OutputType type,
                WarpScratch& scratch) {
  if (width <= 0 || height <= 0) return;
  if (type == OutputType::kFloat32) {
    Augment(src, width, height, params, static_cast<float*>(dst), scratch);
  } else {
    Augment(src, width, height, params, static_cast<uint8_t*>(dst), scratch);
  }
}

}  // namespace xfer
