// The per-output-pixel maths of the fused batch: TF half-pixel bilinear
// resize to uint8, Keras flips + rotation (fill modes, bilinear / nearest),
// and normalize, for one output pixel, from the decoded image.
//
// The same inline functions run in the CUDA kernel (fused_kernel.cu) and,
// compiled as plain C++, in RunFusedBatchHost (fused_batch_host.h), which is
// how the maths is checked against the CPU path without a GPU.
//
// It restates, operation for operation, what the CPU path computes:
// - ops/resize_bilinear.cc (PlanAxis + HorizontalPass + VerticalPassU8): the
//   resized image the cache holds is uint8, so every resized pixel the warp
//   reads is recomputed here from its 4 decoded taps and rounded the same way;
// - ops/warp.cc (MapReflect / MapWrap / clamp, RoundHalfAway, WarpGeneral,
//   FlipOnly): coordinates in double, weighted sums in float32.
// Every float and double operation goes through the helpers below, which on
// the device are the _rn intrinsics: nvcc never fuses those into an FMA, so
// the device rounds exactly as the host (built with -ffp-contract=off) does.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define XFER_HD __host__ __device__ __forceinline__
#else
#define XFER_HD inline
#endif

#if !defined(__CUDA_ARCH__)
#include <cmath>
#endif

namespace xfer {
namespace fused {

// Same numbering as ops/warp.h FillMode / Interpolation (checked in fused_batch.cc).
enum : int32_t { kFillReflect = 0, kFillWrap = 1, kFillConstant = 2, kFillNearest = 3 };
enum : int32_t { kInterpBilinear = 0, kInterpNearest = 1 };

// One image of a batch: where its decoded RGB8 pixels are in the packed input
// and what the warp does to it. Plain data, copied to the device as is.
struct FusedImage {
  uint64_t offset = 0;  // byte offset of its packed RGB8 pixels in the input
  int32_t width = 0;    // decoded size
  int32_t height = 0;
  int32_t flip_h = 0;
  int32_t flip_v = 0;
  int32_t rotate = 0;   // 0: angle 0, the geometry is the identity (warp.cc's FlipOnly)
  float t[6] = {0, 0, 0, 0, 0, 0};  // a0 a1 a2 b0 b1 b2 of KerasRotationTransform, float32
};

// What every image of the batch shares.
struct FusedParams {
  int32_t out_width = 0;
  int32_t out_height = 0;
  int32_t fill = kFillReflect;
  int32_t interpolation = kInterpBilinear;
  float fill_value = 0.0f;  // pixel units, before scale/offset
  float scale = 1.0f;
  float offset = 0.0f;
  int32_t float32 = 1;  // 0: uint8 output (rounded half up, clamped)
};

// ---- IEEE operations, never contracted into FMA on either side.
#if defined(__CUDA_ARCH__)
XFER_HD float FMul(float a, float b) { return __fmul_rn(a, b); }
XFER_HD float FAdd(float a, float b) { return __fadd_rn(a, b); }
XFER_HD float FSub(float a, float b) { return __fsub_rn(a, b); }
XFER_HD double DMul(double a, double b) { return __dmul_rn(a, b); }
XFER_HD double DAdd(double a, double b) { return __dadd_rn(a, b); }
XFER_HD double DSub(double a, double b) { return __dsub_rn(a, b); }
XFER_HD double DDiv(double a, double b) { return __ddiv_rn(a, b); }
XFER_HD double Floor(double v) { return floor(v); }
XFER_HD double Ceil(double v) { return ceil(v); }
XFER_HD double Trunc(double v) { return trunc(v); }
#else
XFER_HD float FMul(float a, float b) { return a * b; }
XFER_HD float FAdd(float a, float b) { return a + b; }
XFER_HD float FSub(float a, float b) { return a - b; }
XFER_HD double DMul(double a, double b) { return a * b; }
XFER_HD double DAdd(double a, double b) { return a + b; }
XFER_HD double DSub(double a, double b) { return a - b; }
XFER_HD double DDiv(double a, double b) { return a / b; }
XFER_HD double Floor(double v) { return std::floor(v); }
XFER_HD double Ceil(double v) { return std::ceil(v); }
XFER_HD double Trunc(double v) { return std::trunc(v); }
#endif

XFER_HD double DMin(double a, double b) { return b < a ? b : a; }
XFER_HD double DMax(double a, double b) { return a < b ? b : a; }
XFER_HD float FClamp255(float v) {
  // std::min(std::max(v, 0.0f), 255.0f)
  v = v < 0.0f ? 0.0f : v;
  return 255.0f < v ? 255.0f : v;
}

// ---- resize: one axis tap, as PlanAxis computes it.
struct Tap {
  int32_t lo;
  int32_t hi;
  float frac;
};

XFER_HD Tap ResizeTap(int32_t in_size, int32_t out_size, int32_t i) {
  const double ratio = DDiv(static_cast<double>(in_size), static_cast<double>(out_size));
  const double src = DSub(DMul(ratio, DAdd(static_cast<double>(i), 0.5)), 0.5);
  const double lo = DMax(0.0, Floor(src));
  const double hi = DMin(static_cast<double>(in_size - 1), Ceil(src));
  Tap t;
  t.lo = static_cast<int32_t>(lo);
  t.hi = static_cast<int32_t>(hi);
  t.frac = static_cast<float>(DSub(src, lo));
  return t;
}

// Pixel (x, y) of the uint8 image the CPU path's resize would produce, as
// float. When the decoded size already is the output size (a cached image),
// the taps are the pixel itself with weight 0 for its neighbour, so reading
// it directly gives the same bits.
XFER_HD void ResizedPixel(const uint8_t* src, const FusedImage& im, const FusedParams& p, int32_t x, int32_t y,
                          float out[3]) {
  if (im.width == p.out_width && im.height == p.out_height) {
    const uint8_t* px = src + (static_cast<uint64_t>(y) * im.width + x) * 3;
    out[0] = px[0];
    out[1] = px[1];
    out[2] = px[2];
    return;
  }
  const Tap tx = ResizeTap(im.width, p.out_width, x);
  const Tap ty = ResizeTap(im.height, p.out_height, y);
  const uint64_t stride = static_cast<uint64_t>(im.width) * 3;
  const uint8_t* top_row = src + static_cast<uint64_t>(ty.lo) * stride;
  const uint8_t* bottom_row = src + static_cast<uint64_t>(ty.hi) * stride;
  for (int c = 0; c < 3; ++c) {
    const float tl = top_row[tx.lo * 3 + c];
    const float bl = bottom_row[tx.lo * 3 + c];
    const float top = FAdd(tl, FMul(FSub(static_cast<float>(top_row[tx.hi * 3 + c]), tl), tx.frac));
    const float bottom = FAdd(bl, FMul(FSub(static_cast<float>(bottom_row[tx.hi * 3 + c]), bl), tx.frac));
    const float v = FClamp255(FAdd(top, FMul(FSub(bottom, top), ty.frac)));
    out[c] = static_cast<float>(static_cast<uint8_t>(FAdd(v, 0.5f)));
  }
}

// Pixel (x, y) of the flipped resized image (the image the rotation sees).
XFER_HD void FlippedPixel(const uint8_t* src, const FusedImage& im, const FusedParams& p, int64_t x, int64_t y,
                          float out[3]) {
  const int32_t fx = static_cast<int32_t>(im.flip_h ? p.out_width - 1 - x : x);
  const int32_t fy = static_cast<int32_t>(im.flip_v ? p.out_height - 1 - y : y);
  ResizedPixel(src, im, p, fx, fy, out);
}

// ---- fill modes (TF MapCoordinate), as warp.cc.
XFER_HD double ClampToImage(double c, int32_t len) { return DMin(DMax(c, 0.0), static_cast<double>(len - 1)); }

XFER_HD double MapReflect(double c, int32_t len) {
  const double n = len;
  if (c >= 0.0 && c <= DSub(n, 1.0)) return c;
  if (len <= 1) return 0.0;
  const double period = DMul(2.0, n);
  if (c < 0.0) {
    c = DAdd(c, DMul(period, Trunc(DDiv(-c, period))));
    c = c < -n ? DAdd(c, period) : DSub(-c, 1.0);
  } else {
    c = DSub(c, DMul(period, Trunc(DDiv(c, period))));
    if (c >= n) c = DSub(DSub(period, c), 1.0);
  }
  return ClampToImage(c, len);
}

XFER_HD double MapWrap(double c, int32_t len) {
  const double n = len;
  if (c >= 0.0 && c <= DSub(n, 1.0)) return c;
  if (len <= 1) return 0.0;
  const double span = DSub(n, 1.0);
  if (c < 0.0) {
    c = DAdd(c, DMul(n, DAdd(Trunc(DDiv(-c, span)), 1.0)));
  } else {
    c = DSub(c, DMul(n, Trunc(DDiv(c, span))));
  }
  return ClampToImage(c, len);
}

XFER_HD double MapCoord(int32_t fill, double c, int32_t len) {
  switch (fill) {
    case kFillReflect: return MapReflect(c, len);
    case kFillWrap: return MapWrap(c, len);
    case kFillNearest: return ClampToImage(c, len);
    default: return c;  // constant: out-of-range taps read fill_value
  }
}

XFER_HD int64_t RoundHalfAway(double v) {
  return static_cast<int64_t>(v < 0.0 ? -Floor(DAdd(-v, 0.5)) : Floor(DAdd(v, 0.5)));
}

XFER_HD bool Inside(const FusedParams& p, int64_t x, int64_t y) {
  return x >= 0 && y >= 0 && x < p.out_width && y < p.out_height;
}

// A flipped-image tap, or fill_value where constant fill leaves the image.
XFER_HD void TapOrFill(const uint8_t* src, const FusedImage& im, const FusedParams& p, int64_t x, int64_t y,
                       float out[3]) {
  if (Inside(p, x, y)) {
    FlippedPixel(src, im, p, x, y, out);
  } else {
    out[0] = out[1] = out[2] = p.fill_value;
  }
}

// ---- one output pixel: the 3 values (before normalization) that warp.cc's
// WarpGeneral / FlipOnly would produce at (x, y).
XFER_HD void WarpedPixel(const uint8_t* src, const FusedImage& im, const FusedParams& p, int32_t x, int32_t y,
                         float v[3]) {
  if (!im.rotate) {
    FlippedPixel(src, im, p, x, y, v);
    return;
  }
  const double a0 = im.t[0], a1 = im.t[1], a2 = im.t[2];
  const double b0 = im.t[3], b1 = im.t[4], b2 = im.t[5];
  const int32_t w = p.out_width;
  const int32_t h = p.out_height;
  const double ix = MapCoord(p.fill, DAdd(DAdd(DMul(a0, x), DMul(a1, y)), a2), w);
  const double iy = MapCoord(p.fill, DAdd(DAdd(DMul(b0, x), DMul(b1, y)), b2), h);
  const bool constant = p.fill == kFillConstant;
  if (p.interpolation == kInterpNearest) {
    const int64_t nx = RoundHalfAway(ix);
    const int64_t ny = RoundHalfAway(iy);
    if (constant) {
      TapOrFill(src, im, p, nx, ny, v);
    } else {
      FlippedPixel(src, im, p, nx, ny, v);
    }
    return;
  }
  const double fx0 = Floor(ix);
  const double fy0 = Floor(iy);
  const float wx0 = static_cast<float>(DSub(DAdd(fx0, 1.0), ix));
  const float wx1 = static_cast<float>(DSub(ix, fx0));
  const float wy0 = static_cast<float>(DSub(DAdd(fy0, 1.0), iy));
  const float wy1 = static_cast<float>(DSub(iy, fy0));
  const int64_t x0 = static_cast<int64_t>(fx0);
  const int64_t y0 = static_cast<int64_t>(fy0);
  float p00[3], p01[3], p10[3], p11[3];
  if (!constant || (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h)) {
    // As in warp.cc: mapped coordinates lie in [0, len-1], and x0 + 1 is
    // clamped only where its weight is exactly 0.
    const int64_t x1 = x0 + 1 < w - 1 ? x0 + 1 : w - 1;
    const int64_t y1 = y0 + 1 < h - 1 ? y0 + 1 : h - 1;
    FlippedPixel(src, im, p, x0, y0, p00);
    FlippedPixel(src, im, p, x1, y0, p01);
    FlippedPixel(src, im, p, x0, y1, p10);
    FlippedPixel(src, im, p, x1, y1, p11);
  } else {
    TapOrFill(src, im, p, x0, y0, p00);
    TapOrFill(src, im, p, x0 + 1, y0, p01);
    TapOrFill(src, im, p, x0, y0 + 1, p10);
    TapOrFill(src, im, p, x0 + 1, y0 + 1, p11);
  }
  for (int c = 0; c < 3; ++c) {
    const float top = FAdd(FMul(wx0, p00[c]), FMul(wx1, p01[c]));
    const float bottom = FAdd(FMul(wx0, p10[c]), FMul(wx1, p11[c]));
    v[c] = FAdd(FMul(wy0, top), FMul(wy1, bottom));
  }
}

// Writes output pixel (x, y) of image `im` at `out` (3 samples of float32,
// or of uint8 when !p.float32). `src` is the image's own pixels.
XFER_HD void FusedPixel(const uint8_t* src, const FusedImage& im, const FusedParams& p, int32_t x, int32_t y,
                        void* out) {
  float v[3];
  WarpedPixel(src, im, p, x, y, v);
  for (int c = 0; c < 3; ++c) {
    const float n = FAdd(FMul(v[c], p.scale), p.offset);
    if (p.float32) {
      static_cast<float*>(out)[c] = n;
    } else {
      static_cast<uint8_t*>(out)[c] = static_cast<uint8_t>(static_cast<int32_t>(FAdd(FClamp255(n), 0.5f)));
    }
  }
}

}  // namespace fused
}  // namespace xfer
