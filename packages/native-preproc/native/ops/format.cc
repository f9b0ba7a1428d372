#include "format.h"

#include <cstring>

namespace xfer {
namespace {

const uint8_t kJpegMagic[] = {0xFF, 0xD8, 0xFF};
const uint8_t kPngMagic[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

bool StartsWith(const uint8_t* data, size_t size, const void* magic, size_t n) {
  return size >= n && std::memcmp(data, magic, n) == 0;
}

bool IsStrictPrefixOf(const uint8_t* data, size_t size, const uint8_t* magic, size_t n) {
  return size > 0 && size < n && std::memcmp(data, magic, size) == 0;
}

// Only for a more useful message; none of these is decoded.
const char* NameOtherFormat(const uint8_t* d, size_t n) {
  if (StartsWith(d, n, "GIF87a", 6) || StartsWith(d, n, "GIF89a", 6)) return "GIF";
  if (StartsWith(d, n, "BM", 2)) return "BMP";
  if (n >= 12 && std::memcmp(d, "RIFF", 4) == 0 && std::memcmp(d + 8, "WEBP", 4) == 0) return "WebP";
  if (StartsWith(d, n, "II*\0", 4) || StartsWith(d, n, "MM\0*", 4)) return "TIFF";
  if (n >= 12 && std::memcmp(d + 4, "ftyp", 4) == 0) return "HEIF/AVIF";
  if (StartsWith(d, n, "\xFF\x0A", 2) || StartsWith(d, n, "\0\0\0\x0CJXL \r\n\x87\n", 12)) return "JPEG XL";
  if (StartsWith(d, n, "\0\0\0\x0CjP  \r\n\x87\n", 12)) return "JPEG 2000";
  if (StartsWith(d, n, "qoif", 4)) return "QOI";
  if (StartsWith(d, n, "\0\0\1\0", 4)) return "ICO";
  return nullptr;
}

}  // namespace

SniffResult SniffFormat(const uint8_t* data, size_t size) {
  if (StartsWith(data, size, kJpegMagic, sizeof kJpegMagic)) return {ImageFormat::kJpeg, nullptr};
  if (StartsWith(data, size, kPngMagic, sizeof kPngMagic)) return {ImageFormat::kPng, nullptr};
  if (IsStrictPrefixOf(data, size, kJpegMagic, sizeof kJpegMagic) ||
      IsStrictPrefixOf(data, size, kPngMagic, sizeof kPngMagic)) {
    return {ImageFormat::kTruncatedSignature, nullptr};
  }
  return {ImageFormat::kUnknown, NameOtherFormat(data, size)};
}

}  // namespace xfer
