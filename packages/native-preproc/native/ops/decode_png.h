#pragma once

#include <cstddef>
#include <cstdint>

#include "decode.h"

namespace xfer {

// PNG via libspng: every bit depth and colour type (gray, gray+alpha, palette,
// RGB, RGBA, 16-bit, interlaced) comes out as RGB8. Alpha is dropped, not
// composited, matching sharp's removeAlpha(); 16-bit samples keep their high
// byte.
Status DecodePng(const uint8_t* data, size_t size, const DecodeOptions& options, RgbImage& out);

}  // namespace xfer
