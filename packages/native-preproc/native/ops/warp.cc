#include "warp.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "simd_dispatch.h"
#include "vec4.h"
#include "warp_rows_avx2.h"
#include "warp_rows_avx512.h"
#include "warp_source.h"

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

// Constant fill: a tap outside the image reads the frame (warp_source.h).
// Holding the lower tap to [-kBorder, len] keeps it there without changing
// what any tap reads: both taps of a held pair were outside already.
template <FillMode M>
long HoldTap(long tap, int len) {
  if constexpr (M == FillMode::kConstant) {
    return std::min<long>(std::max<long>(tap, -WarpSource::kBorder), len);
  }
  return tap;
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

// The portable loops (uint8 output, nearest interpolation, CPUs without AVX2,
// sides of 1 pixel); warp_rows_avx2.cc and warp_rows_avx512.cc are the
// bilinear maths for the Loader's float32 output. Per output row: the row's mapped input
// coordinates (RowSources), then `row_sampler()`, which may plan more for the
// row and returns the pixel sampler, x -> the value before normalization.
template <FillMode M, typename Out, typename RowSampler>
void WarpRows(const std::array<float, 8>& t, int w, int h, const WarpParams& p, WarpScratch& scratch, Out* out,
              RowSampler row_sampler) {
  const Vec4 scale = Splat4(p.scale);
  const Vec4 offset = Splat4(p.offset);
  for (int y = 0; y < h; ++y) {
    RowSources<M>(t, y, w, h, scratch);
    const auto sample = row_sampler();
    Out* row = out + static_cast<size_t>(y) * w * 3;
    for (int x = 0; x < w; ++x) Put(row + 3 * x, Add4(Mul4(sample(x), scale), offset), x + 1 == w);
  }
}

template <FillMode M, typename Out>
void WarpBilinear(const WarpSource& s, const std::array<float, 8>& t, const WarpParams& p, WarpScratch& scratch,
                  Out* out) {
  const int w = s.width;
  const int h = s.height;
  WarpRows<M>(t, w, h, p, scratch, out, [&] {
    SplitCoordinates(scratch.ix.data(), w, scratch.x0.data(), scratch.wx0.data(), scratch.wx1.data());
    SplitCoordinates(scratch.iy.data(), w, scratch.y0.data(), scratch.wy0.data(), scratch.wy1.data());
    return [&](int x) {
      // A mapped coordinate's upper tap is inside the image or on the frame
      // with weight exactly 0, which adds the same 0 as any pixel would.
      const float* top = s.At(HoldTap<M>(scratch.x0[x], w), HoldTap<M>(scratch.y0[x], h));
      const float* bottom = top + s.stride;
      const Vec4 wx0 = Splat4(scratch.wx0[x]);
      const Vec4 wx1 = Splat4(scratch.wx1[x]);
      const Vec4 upper = Add4(Mul4(wx0, Load4(top)), Mul4(wx1, Load4(top + 4)));
      const Vec4 lower = Add4(Mul4(wx0, Load4(bottom)), Mul4(wx1, Load4(bottom + 4)));
      return Add4(Mul4(Splat4(scratch.wy0[x]), upper), Mul4(Splat4(scratch.wy1[x]), lower));
    };
  });
}

template <FillMode M, typename Out>
void WarpNearest(const WarpSource& s, const std::array<float, 8>& t, const WarpParams& p, WarpScratch& scratch,
                 Out* out) {
  const int w = s.width;
  const int h = s.height;
  WarpRows<M>(t, w, h, p, scratch, out, [&] {
    return [&](int x) {
      return Load4(s.At(HoldTap<M>(RoundHalfAway(scratch.ix[x]), w), HoldTap<M>(RoundHalfAway(scratch.iy[x]), h)));
    };
  });
}

template <FillMode M, typename Out>
void DispatchInterpolation(const WarpSource& s, const std::array<float, 8>& t, const WarpParams& p,
                           WarpScratch& scratch, Out* out) {
  if (p.interpolation == Interpolation::kNearest) {
    WarpNearest<M>(s, t, p, scratch, out);
  } else {
    WarpBilinear<M>(s, t, p, scratch, out);
  }
}

template <typename Out>
void DispatchFill(const WarpSource& s, const std::array<float, 8>& t, const WarpParams& p, WarpScratch& scratch,
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
  // Outside constant fill the frame is only ever read with weight 0, and 0
  // keeps that product finite whatever fill_value is.
  const float frame = params.fill == FillMode::kConstant ? params.fill_value : 0.0f;
  const WarpSource source = BuildWarpSource(src, width, height, params.flip_horizontal, params.flip_vertical, frame,
                                            scratch.source);
  const std::array<float, 8> t = KerasRotationTransform(params.angle, width, height);
  if constexpr (std::is_same_v<Out, float>) {
    if (params.interpolation == Interpolation::kBilinear && CanWarpBilinearAvx2(source)) {
      if (HaveAvx512()) {
        WarpBilinearAvx512(source, t, params.fill, params.scale, params.offset, out);
      } else {
        WarpBilinearAvx2(source, t, params.fill, params.scale, params.offset, out);
      }
      return;
    }
  }
  scratch.Reserve(width);
  DispatchFill(source, t, params, scratch, out);
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
