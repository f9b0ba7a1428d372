// Container detection by magic bytes. File extensions lie (PetImages has
// non-JPEGs named .jpg); the first bytes do not.
#pragma once

#include <cstddef>
#include <cstdint>

namespace xfer {

enum class ImageFormat {
  kJpeg,
  kPng,
  kUnknown,
  // The whole input is a strict prefix of a supported signature: cut short.
  kTruncatedSignature,
};

struct SniffResult {
  ImageFormat format;
  // Name of a recognised but unsupported format ("GIF", "BMP", ...), or
  // nullptr when nothing was recognised. Only meaningful for kUnknown.
  const char* other_name;
};

SniffResult SniffFormat(const uint8_t* data, size_t size);

}  // namespace xfer
