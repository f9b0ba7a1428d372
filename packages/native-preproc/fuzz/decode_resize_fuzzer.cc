// decode + resize, as one Loader or decodeResizeBatch item: the target size,
// the mode (fast: DCT-scaled decode; exact: full decode) and the output type
// come from the input's last bytes, the encoded image from the rest.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "decode.h"
#include "fuzz_check.h"
#include "image.h"
#include "resize_bilinear.h"

namespace {

// Kept small for throughput: larger images and targets take the same code paths.
constexpr uint64_t kMaxPixels = uint64_t{1} << 20;
constexpr int kMaxSide = 256;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider params(data, size);
  const int width = params.ConsumeIntegralInRange(1, kMaxSide);
  const int height = params.ConsumeIntegralInRange(1, kMaxSide);
  const bool exact = params.ConsumeBool();
  const xfer::OutputType type = params.ConsumeBool() ? xfer::OutputType::kFloat32 : xfer::OutputType::kUint8;
  // FuzzedDataProvider takes integers from the end, so the image is a prefix.
  const size_t image_size = params.remaining_bytes();

  xfer::DecodeOptions options;
  options.max_pixels = kMaxPixels;
  if (!exact) {
    options.target_width = width;
    options.target_height = height;
  }
  xfer::RgbImage image;
  if (!xfer::DecodeImage(data, image_size, options, image).ok()) return 0;

  const size_t samples = static_cast<size_t>(width) * height * 3;
  xfer::ResizeScratch scratch;
  if (type == xfer::OutputType::kUint8) {
    std::vector<uint8_t> out(samples);
    xfer::ResizeBilinearRgb(image.pixels.data(), image.width, image.height, out.data(), width, height, type, scratch);
  } else {
    std::vector<float> out(samples);
    xfer::ResizeBilinearRgb(image.pixels.data(), image.width, image.height, out.data(), width, height, type, scratch);
    // Bilinear weights are convex, so every output lies between two uint8 inputs.
    for (const float v : out) XFER_FUZZ_CHECK(v >= 0.0f && v <= 255.0f);
  }
  return 0;
}
