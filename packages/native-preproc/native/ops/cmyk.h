#pragma once

#include <cstddef>
#include <cstdint>

namespace xfer {

// In-place CMYK8 -> RGB8 for `pixels` pixels (the buffer shrinks from 4 to 3
// bytes per pixel). Expects the Adobe convention that libjpeg hands back for
// CMYK/YCCK JPEGs (Photoshop writes inverted ink: 255 = no ink), so
// R = C*K/255 etc. This is the uncalibrated conversion; an embedded ICC
// profile is ignored, as it is for every other colour space here.
void AdobeCmykToRgbInPlace(uint8_t* buffer, size_t pixels);

}  // namespace xfer
