#include "fused_batch.h"

namespace xfer {

static_assert(static_cast<int>(FillMode::kReflect) == fused::kFillReflect, "fill numbering");
static_assert(static_cast<int>(FillMode::kWrap) == fused::kFillWrap, "fill numbering");
static_assert(static_cast<int>(FillMode::kConstant) == fused::kFillConstant, "fill numbering");
static_assert(static_cast<int>(FillMode::kNearest) == fused::kFillNearest, "fill numbering");
static_assert(static_cast<int>(Interpolation::kBilinear) == fused::kInterpBilinear, "interpolation numbering");
static_assert(static_cast<int>(Interpolation::kNearest) == fused::kInterpNearest, "interpolation numbering");

fused::FusedImage DescribeFusedImage(uint64_t offset, int width, int height, bool flip_h, bool flip_v, double angle,
                                     int out_width, int out_height) {
  fused::FusedImage im;
  im.offset = offset;
  im.width = width;
  im.height = height;
  im.flip_h = flip_h ? 1 : 0;
  im.flip_v = flip_v ? 1 : 0;
  // warp.cc takes its identity shortcut on exactly this test.
  im.rotate = angle != 0.0 ? 1 : 0;
  // The matrix is the rotation of the resized image, so of the output size.
  const std::array<float, 8> t = KerasRotationTransform(angle, out_width, out_height);
  for (int i = 0; i < 6; ++i) im.t[i] = t[i];
  return im;
}

fused::FusedParams MakeFusedParams(int out_width, int out_height, const WarpParams& warp, OutputType type) {
  fused::FusedParams p;
  p.out_width = out_width;
  p.out_height = out_height;
  p.fill = static_cast<int32_t>(warp.fill);
  p.interpolation = static_cast<int32_t>(warp.interpolation);
  p.fill_value = warp.fill_value;
  p.scale = warp.scale;
  p.offset = warp.offset;
  p.float32 = type == OutputType::kFloat32 ? 1 : 0;
  return p;
}

size_t FusedOutputImageBytes(const fused::FusedParams& p) {
  return static_cast<size_t>(p.out_width) * static_cast<size_t>(p.out_height) * 3 * (p.float32 ? sizeof(float) : 1);
}

void RunFusedBatchHost(const uint8_t* input, const fused::FusedImage* images, size_t count,
                       const fused::FusedParams& p, void* out) {
  const size_t image_bytes = FusedOutputImageBytes(p);
  const size_t pixel_bytes = p.float32 ? 3 * sizeof(float) : 3;
  for (size_t n = 0; n < count; ++n) {
    const fused::FusedImage& im = images[n];
    uint8_t* dst = static_cast<uint8_t*>(out) + n * image_bytes;
    for (int32_t y = 0; y < p.out_height; ++y) {
      for (int32_t x = 0; x < p.out_width; ++x) {
        const size_t pixel = static_cast<size_t>(y) * p.out_width + x;
        fused::FusedPixel(input + im.offset, im, p, x, y, dst + pixel * pixel_bytes);
      }
    }
  }
}

}  // namespace xfer
