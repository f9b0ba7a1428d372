// augment: the fused flip + rotate + normalize pass over an arbitrary image
// and arbitrary finite parameters (the binding refuses non-finite ones). The
// parameters come from the input's last bytes; the pixels are the rest,
// repeated to fill width x height x 3.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "image.h"
#include "warp.h"

namespace {

constexpr int kMaxSide = 96;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider params(data, size);
  const int width = params.ConsumeIntegralInRange(1, kMaxSide);
  const int height = params.ConsumeIntegralInRange(1, kMaxSide);
  xfer::WarpParams p;
  p.flip_horizontal = params.ConsumeBool();
  p.flip_vertical = params.ConsumeBool();
  p.fill = static_cast<xfer::FillMode>(params.ConsumeIntegralInRange(0, 3));
  p.interpolation = static_cast<xfer::Interpolation>(params.ConsumeIntegralInRange(0, 1));
  const xfer::OutputType type = params.ConsumeBool() ? xfer::OutputType::kFloat32 : xfer::OutputType::kUint8;
  // Half the time a Keras-sized angle (|factor| <= 0.5 turns), otherwise any finite one.
  p.angle = params.ConsumeBool() ? params.ConsumeFloatingPointInRange(-M_PI, M_PI) : params.ConsumeFloatingPoint<double>();
  p.fill_value = params.ConsumeFloatingPoint<float>();
  p.scale = params.ConsumeFloatingPoint<float>();
  p.offset = params.ConsumeFloatingPoint<float>();
  if (!std::isfinite(p.angle) || !std::isfinite(p.fill_value) || !std::isfinite(p.scale) || !std::isfinite(p.offset)) {
    return 0;
  }

  const size_t samples = static_cast<size_t>(width) * height * 3;
  const size_t pixel_bytes = params.remaining_bytes();
  std::vector<uint8_t> src(samples);
  for (size_t i = 0; i < samples; ++i) src[i] = pixel_bytes == 0 ? 0 : data[i % pixel_bytes];

  xfer::WarpScratch scratch;
  std::vector<float> out(samples);  // float32 is the wider of the two outputs
  xfer::AugmentRgb(src.data(), width, height, p, out.data(), type, scratch);

  // With the identity transform (scale 1, offset 0) every float sample is a
  // convex blend of inputs and the fill value.
  if (type == xfer::OutputType::kFloat32 && p.scale == 1.0f && p.offset == 0.0f) {
    const float lo = std::fmin(0.0f, p.fill_value), hi = std::fmax(255.0f, p.fill_value);
    for (const float v : out) XFER_FUZZ_CHECK(v >= lo - 1e-3f * std::fabs(lo) - 1e-3f && v <= hi + 1e-3f * hi + 1e-3f);
  }
  return 0;
}
