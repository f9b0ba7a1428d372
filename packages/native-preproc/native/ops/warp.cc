#include "warp.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "float_view.h"
#include "simd_dispatch.h"
#include "vec4.h"
#include "warp_rows_avx2.h"

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

// Writes one output pixel. `last` is the last pixel of the image row: a
// 4-float store there could run past the end of the output.
inline void Put(float* out, Vec4 v, bool last) {
  if (last) {
    Store3(out, v);
  } else {
    Store4(out, v);  // the 4th float is the next pixel's R, written next
  }
}
inline void Put(uint8_t* out, Vec4 v, bool /*last*/) { Store3U8(out, v); }

XFER_TARGET_CLONES
void ToRgbx(const uint8_t* src, size_t pixels, float* out) {
  for (size_t i = 0; i < pixels; ++i) {
    out[4 * i + 0] = src[3 * i + 0];
    out[4 * i + 1] = src[3 * i + 1];
    out[4 * i + 2] = src[3 * i + 2];
    out[4 * i + 3] = 0.0f;
  }
}

// ---- one output row at a time: the coordinate maths for the whole row runs
// first, as loops the compiler vectorises (one clone per SIMD level); the
// per-pixel loop is then only tap loads and the blend. Every operation is the
// per-pixel formula's, in the same order, so the bits do not change.

// c[x] = (k0*x + ky) + k2: tfjs' expression order, in double.
XFER_TARGET_CLONES
void RowCoordinates(double k0, double ky, double k2, int n, double* __restrict c) {
  for (int x = 0; x < n; ++x) c[x] = (k0 * x + ky) + k2;
}

// Out of line: only the ends of a row can leave the image.
template <FillMode M>
__attribute__((noinline)) double MapOutside(double c, int len) {
  return MapCoord<M>(c, len);
}

// Constant fill leaves coordinates unmapped; they are held to +-2^30 so that
// the int32 taps below are defined. That moves only samples a billion pixels
// outside the image, whose taps all read the fill value either way.
XFER_TARGET_CLONES
void HoldFar(double* __restrict c, int n) {
  constexpr double kFar = 1073741824.0;
  for (int x = 0; x < n; ++x) c[x] = c[x] < -kFar ? -kFar : (c[x] > kFar ? kFar : c[x]);
}

// A row's coordinates are (k0*x + ky) + k2 in double: every step is monotonic
// in x, so the pixels inside [0, len-1] form one run and only the two ends
// need mapping. Scanning in from each end touches just those.
template <FillMode M>
void MapRow(double* c, int n, int len) {
  if constexpr (M == FillMode::kConstant) {
    HoldFar(c, n);
    return;
  }
  const double last = static_cast<double>(len - 1);
  auto outside = [&](double v) { return !(v >= 0.0 && v <= last); };
  int left = 0;
  for (; left < n && outside(c[left]); ++left) c[left] = MapOutside<M>(c[left], len);
  for (int right = n - 1; right > left && outside(c[right]); --right) c[right] = MapOutside<M>(c[right], len);
}

// The lower tap of each coordinate and the weights of the lower and upper
// taps. |c| <= 2^30 here (mapped into the image, or held by HoldFar).
XFER_TARGET_CLONES
void SplitCoordinates(const double* __restrict c, int n, int32_t* __restrict lower, float* __restrict w_lower,
                      float* __restrict w_upper) {
  for (int x = 0; x < n; ++x) {
    const double f = std::floor(c[x]);
    lower[x] = static_cast<int32_t>(f);
    w_lower[x] = static_cast<float>((f + 1.0) - c[x]);
    w_upper[x] = static_cast<float>(c[x] - f);
  }
}

// Input coordinates of one output row, mapped by the fill mode.
template <FillMode M>
void RowSources(const std::array<float, 8>& t, int y, int w, int h, WarpScratch& scratch) {
  // The coefficients are float32 (as in TF and tfjs); coordinates are double.
  RowCoordinates(t[0], static_cast<double>(t[1]) * y, t[2], w, scratch.ix.data());
  RowCoordinates(t[3], static_cast<double>(t[4]) * y, t[5], w, scratch.iy.data());
  MapRow<M>(scratch.ix.data(), w, w);
  MapRow<M>(scratch.iy.data(), w, h);
}

template <FillMode M, typename Out>
void WarpBilinear(const FloatView s, const std::array<float, 8>& t, const WarpParams& p, WarpScratch& scratch,
                  Out* out) {
  const int w = s.width;
  const int h = s.height;
  const Vec4 scale = Splat4(p.scale);
  const Vec4 offset = Splat4(p.offset);
  const Vec4 fill = Splat4(p.fill_value);
  int32_t* x0s = scratch.x0.data();
  int32_t* y0s = scratch.y0.data();
  float* wx0s = scratch.wx0.data();
  float* wx1s = scratch.wx1.data();
  float* wy0s = scratch.wy0.data();
  float* wy1s = scratch.wy1.data();
  const bool avx2 = HaveAvx2RowBlend();
  for (int y = 0; y < h; ++y) {
    RowSources<M>(t, y, w, h, scratch);
    SplitCoordinates(scratch.ix.data(), w, x0s, wx0s, wx1s);
    SplitCoordinates(scratch.iy.data(), w, y0s, wy0s, wy1s);
    Out* row = out + static_cast<size_t>(y) * w * 3;
    int x = 0;
    if constexpr (M != FillMode::kConstant && std::is_same_v<Out, float>) {
      if (avx2) x = BlendInsideRowAvx2(s, RowTaps{x0s, y0s, wx0s, wx1s, wy0s, wy1s}, w - 1, p.scale, p.offset, row);
    }
    for (; x < w; ++x) {
      const long x0 = x0s[x];
      const long y0 = y0s[x];
      Vec4 p00, p01, p10, p11;
      if (M != FillMode::kConstant || (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h)) {
        // Mapped coordinates lie in [0, len-1]; x0 + 1 falls outside only
        // when its weight is exactly 0, and then any pixel contributes the
        // same 0 as the fill value would.
        const float* r0 = s.Row(y0);
        const float* r1 = s.Row(std::min<long>(y0 + 1, h - 1));
        const ptrdiff_t c0 = s.Col(x0);
        const ptrdiff_t c1 = s.Col(std::min<long>(x0 + 1, w - 1));
        p00 = Load4(r0 + c0);
        p01 = Load4(r0 + c1);
        p10 = Load4(r1 + c0);
        p11 = Load4(r1 + c1);
      } else {
        p00 = s.Inside(x0, y0) ? Load4(s.At(x0, y0)) : fill;
        p01 = s.Inside(x0 + 1, y0) ? Load4(s.At(x0 + 1, y0)) : fill;
        p10 = s.Inside(x0, y0 + 1) ? Load4(s.At(x0, y0 + 1)) : fill;
        p11 = s.Inside(x0 + 1, y0 + 1) ? Load4(s.At(x0 + 1, y0 + 1)) : fill;
      }
      const Vec4 wx0 = Splat4(wx0s[x]);
      const Vec4 wx1 = Splat4(wx1s[x]);
      const Vec4 top = Add4(Mul4(wx0, p00), Mul4(wx1, p01));
      const Vec4 bottom = Add4(Mul4(wx0, p10), Mul4(wx1, p11));
      const Vec4 v = Add4(Mul4(Splat4(wy0s[x]), top), Mul4(Splat4(wy1s[x]), bottom));
      Put(row + 3 * x, Add4(Mul4(v, scale), offset), x + 1 == w);
    }
  }
}

template <FillMode M, typename Out>
void WarpNearest(const FloatView s, const std::array<float, 8>& t, const WarpParams& p, WarpScratch& scratch,
                 Out* out) {
  const int w = s.width;
  const int h = s.height;
  const Vec4 scale = Splat4(p.scale);
  const Vec4 offset = Splat4(p.offset);
  const Vec4 fill = Splat4(p.fill_value);
  for (int y = 0; y < h; ++y) {
    RowSources<M>(t, y, w, h, scratch);
    Out* row = out + static_cast<size_t>(y) * w * 3;
    for (int x = 0; x < w; ++x) {
      const long nx = RoundHalfAway(scratch.ix[x]);
      const long ny = RoundHalfAway(scratch.iy[x]);
      const Vec4 v = (M != FillMode::kConstant || s.Inside(nx, ny)) ? Load4(s.At(nx, ny)) : fill;
      Put(row + 3 * x, Add4(Mul4(v, scale), offset), x + 1 == w);
    }
  }
}

template <FillMode M, typename Out>
void DispatchInterpolation(const FloatView& s, const std::array<float, 8>& t, const WarpParams& p,
                           WarpScratch& scratch, Out* out) {
  if (p.interpolation == Interpolation::kNearest) {
    WarpNearest<M>(s, t, p, scratch, out);
  } else {
    WarpBilinear<M>(s, t, p, scratch, out);
  }
}

template <typename Out>
void DispatchFill(const FloatView& s, const std::array<float, 8>& t, const WarpParams& p, WarpScratch& scratch,
                  Out* out) {
  switch (p.fill) {
    case FillMode::kWrap: return DispatchInterpolation<FillMode::kWrap>(s, t, p, scratch, out);
    case FillMode::kConstant: return DispatchInterpolation<FillMode::kConstant>(s, t, p, scratch, out);
    case FillMode::kNearest: return DispatchInterpolation<FillMode::kNearest>(s, t, p, scratch, out);
    case FillMode::kReflect: break;
  }
  DispatchInterpolation<FillMode::kReflect>(s, t, p, scratch, out);
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
  scratch.Reserve(width);
  ToRgbx(src, pixels, scratch.rgbx.data());
  const FloatView view(scratch.rgbx.data(), width, height, params.flip_horizontal, params.flip_vertical);
  DispatchFill(view, KerasRotationTransform(params.angle, width, height), params, scratch, out);
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
