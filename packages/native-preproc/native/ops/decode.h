// Decode of one encoded image (JPEG or PNG, by magic bytes) to RGB8.
// Pure function over a byte buffer: no files, no threads, no N-API.
#pragma once

#include <cstddef>
#include <cstdint>

#include "image.h"
#include "status.h"

namespace xfer {

struct DecodeOptions {
  // Refuse images whose header declares more pixels than this, before any
  // pixel memory is allocated (decompression-bomb guard).
  uint64_t max_pixels = 100000000;
  // When both are > 0, a JPEG may be decoded at a reduced DCT scale: the
  // smallest libjpeg-turbo scale whose output still covers target_width x
  // target_height. 0 means full scale. PNG is always full scale.
  int target_width = 0;
  int target_height = 0;
};

// On failure `out` holds no meaningful pixels. `out.pixels` is reused as-is
// when large enough, so callers can keep one RgbImage per worker.
Status DecodeImage(const uint8_t* data, size_t size, const DecodeOptions& options, RgbImage& out);

// Shared by the codecs so every TOO_LARGE message reads the same.
Status CheckPixelLimit(uint64_t width, uint64_t height, uint64_t max_pixels);

}  // namespace xfer
