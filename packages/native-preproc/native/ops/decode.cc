#include "decode.h"

#include <string>

#include "decode_jpeg.h"
#include "decode_png.h"
#include "format.h"

namespace xfer {

Status CheckPixelLimit(uint64_t width, uint64_t height, uint64_t max_pixels) {
  // Both factors come from 16-bit (JPEG) or 31-bit (PNG) header fields, so the
  // product fits in 64 bits.
  const uint64_t pixels = width * height;
  if (pixels > max_pixels) {
    return Status::Error(ErrorCode::kTooLarge,
                         "header declares " + std::to_string(width) + "x" + std::to_string(height) + " = " +
                             std::to_string(pixels) + " pixels, over the limit of " + std::to_string(max_pixels) +
                             " (maxPixels)");
  }
  return Status::Ok();
}

Status DecodeImage(const uint8_t* data, size_t size, const DecodeOptions& options, RgbImage& out) {
  out.width = out.height = 0;
  out.warned = false;
  if (size == 0 || data == nullptr) return Status::Error(ErrorCode::kEmpty, "empty input (0 bytes)");

  const SniffResult sniff = SniffFormat(data, size);
  switch (sniff.format) {
    case ImageFormat::kJpeg: return DecodeJpeg(data, size, options, out);
    case ImageFormat::kPng: return DecodePng(data, size, options, out);
    case ImageFormat::kTruncatedSignature:
      return Status::Error(ErrorCode::kTruncated,
                           "truncated: only " + std::to_string(size) + " bytes, cut short inside the JPEG/PNG signature");
    case ImageFormat::kUnknown: break;
  }
  const std::string what = sniff.other_name ? std::string(sniff.other_name) : std::string("unrecognised data");
  return Status::Error(ErrorCode::kUnsupportedFormat,
                       "unsupported format: " + what + " (only JPEG and PNG are decoded)");
}

}  // namespace xfer
