// decode: arbitrary bytes through DecodeImage at full scale, as decode() does.
#include <cstddef>
#include <cstdint>

#include "decode.h"
#include "fuzz_check.h"

namespace {

// Small enough that a mutated header cannot make one input take seconds or
// gigabytes; the limit check itself is fuzzed all the same.
constexpr uint64_t kMaxPixels = uint64_t{1} << 22;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  xfer::DecodeOptions options;
  options.max_pixels = kMaxPixels;
  xfer::RgbImage image;
  const xfer::Status status = xfer::DecodeImage(data, size, options, image);
  if (status.ok()) {
    XFER_FUZZ_CHECK(image.width > 0 && image.height > 0);
    XFER_FUZZ_CHECK(static_cast<uint64_t>(image.width) * image.height <= kMaxPixels);
    XFER_FUZZ_CHECK(image.pixels.size() >= image.byte_size());
  } else {
    XFER_FUZZ_CHECK(!status.message.empty());
  }
  return 0;
}
