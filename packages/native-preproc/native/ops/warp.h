// Keras RandomFlip + RandomRotation + Rescaling, fused into one pass from a
// packed RGB8 image into a uint8 or float32 output of the same size.
//
// Geometry is that of Keras' get_rotation_matrix fed to TF's
// ImageProjectiveTransformV3 (which tfjs' Transform kernel restates):
//   - the matrix maps OUTPUT pixel (x, y) to INPUT coordinates (inverse mapping):
//       in_x = a0*x + a1*y + a2,   in_y = b0*x + b1*y + b2
//     with a0 = cos t, a1 = -sin t, b0 = sin t, b1 = cos t and the offsets that
//     keep the centre ((w-1)/2, (h-1)/2) fixed:
//       a2 = ((w-1) - (cos t*(w-1) - sin t*(h-1))) / 2
//       b2 = ((h-1) - (sin t*(w-1) + cos t*(h-1))) / 2
//   - coordinates outside the image are first mapped by the fill mode
//     (reflect about the pixel edges -0.5 and len-0.5, TF's wrap arithmetic,
//     clamp for nearest, unchanged for constant), then sampled bilinearly or
//     by rounding (half away from zero, as std::round in TF), and any tap that
//     is still outside the image reads fill_value.
//   - the flips happen before the rotation (RandomFlip precedes
//     RandomRotation in the recipe). They are applied to the integer tap
//     indices, which is exactly sampling the flipped image.
//   - out = value * scale + offset (Rescaling), in float32.
//
// Precision: the 8 coefficients are computed in double and rounded to float32
// (TF computes them in float32; tfjs stores them as float32). Input
// coordinates, floor and weights are evaluated in double in tfjs' expression
// order (so every sample lands on the same taps as in tfjs); the weighted sum
// runs in float32 (as in TF), 4 lanes at a time, in a fixed order without FMA,
// so every CPU and thread count gives the same bits. Against tfjs' double sum
// that is a difference of a few float32 ulps of 255 (~3e-5). TF evaluates
// coordinates in float32; at 150 px that moves a sample by ~1e-5 px.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "image.h"

namespace xfer {

enum class FillMode { kReflect = 0, kWrap = 1, kConstant = 2, kNearest = 3 };
enum class Interpolation { kBilinear = 0, kNearest = 1 };

struct WarpParams {
  bool flip_horizontal = false;
  bool flip_vertical = false;
  // Radians, Keras' sign convention (positive = counter-clockwise on screen).
  double angle = 0.0;
  FillMode fill = FillMode::kReflect;
  // In input pixel units (0..255), before scale/offset: Keras' fill_value
  // applies to the image RandomRotation sees, and Rescaling comes later.
  float fill_value = 0.0f;
  Interpolation interpolation = Interpolation::kBilinear;
  float scale = 1.0f;
  float offset = 0.0f;
};

// Keras get_rotation_matrix(angle, height, width) for one image: the eight
// projective coefficients [a0 a1 a2 b0 b1 b2 c0 c1] (c0 = c1 = 0), as float32.
std::array<float, 8> KerasRotationTransform(double angle, int width, int height);

// Scratch a worker keeps across images: the framed float source
// (warp_source.h) and the sample positions of one output row (input
// coordinates, lower taps and tap weights per axis).
struct WarpScratch {
  std::vector<float> source;
  std::vector<double> ix, iy;
  std::vector<int32_t> x0, y0;
  std::vector<float> wx0, wx1, wy0, wy1;

  void Reserve(int width) {
    const size_t n = static_cast<size_t>(width);
    for (auto* v : {&ix, &iy}) v->resize(n);
    for (auto* v : {&x0, &y0}) v->resize(n);
    for (auto* v : {&wx0, &wx1, &wy0, &wy1}) v->resize(n);
  }
};

// Writes width*height*3 samples of `type` to dst. src is packed RGB8.
// For angle == 0 the geometry is the identity (Keras' matrix is exactly the
// identity there), so only the flips and the normalization run.
// uint8 output rounds half up and clamps to 0..255.
void AugmentRgb(const uint8_t* src, int width, int height, const WarpParams& params, void* dst, OutputType type,
                WarpScratch& scratch);

}  // namespace xfer
