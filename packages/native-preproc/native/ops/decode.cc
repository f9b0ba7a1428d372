#include "decode.h"

#include <string>

#include "decode_jpeg.h"
#include "decode_png.h"
#include "format.h"
#include "jpeg_structure.h"

namespace xfer {
namespace {

// The cap TurboJPEG's TJFLAG_LIMITSCANS applies mid-decode, checked here up
// front so the refusal costs nothing and says why. libjpeg's standard
// progression writes 10 scans; real files stay far below 500.
constexpr size_t kMaxJpegScans = 500;

// Refuses a progressive bomb before libjpeg spends any time on it.
Status CheckJpegScanLimit(const uint8_t* data, size_t size) {
  const size_t scans = CountJpegScans(data, size);
  if (scans <= kMaxJpegScans) return Status::Ok();
  return Status::Error(ErrorCode::kTooLarge, "JPEG has " + std::to_string(scans) + " scans, over the limit of " +
                                                 std::to_string(kMaxJpegScans) +
                                                 " (a progressive bomb: each scan re-walks the whole image)");
}

}  // namespace

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
    case ImageFormat::kJpeg: {
      Status scans = CheckJpegScanLimit(data, size);
      if (!scans.ok()) return scans;
      return DecodeJpeg(data, size, options, out);
    }
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
