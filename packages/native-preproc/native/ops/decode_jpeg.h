#pragma once

#include <cstddef>
#include <cstdint>

#include "decode.h"

namespace xfer {

// JPEG via the TurboJPEG 2 API (libjpeg-turbo 2.x; no tj3* so that Debian 12's
// 2.1.5 works). Gray, YCbCr, RGB, CMYK and YCCK streams all come out as RGB8.
Status DecodeJpeg(const uint8_t* data, size_t size, const DecodeOptions& options, RgbImage& out);

// The DCT scale DecodeJpeg uses for a target size: the smallest of 1/8, 1/4,
// 1/2 and 1/1 whose output still covers the target in both dimensions.
// test/helpers.ts (expectedDctScale) restates this rule independently.
//
// Why not every n/8: libjpeg-turbo has SIMD IDCTs only for those four scales;
// 3/8..7/8 run scalar code and decode slower than 8/8 (tjbench, 2.1.5, x86-64).
// Measured on the bench corpus at 150x150: decode 10% faster, decode + resize
// 7% faster, and a larger intermediate, so closer to exact mode.
struct JpegScale {
  int num = 1;
  int denom = 1;
  int width = 0;
  int height = 0;
};
JpegScale ChooseJpegScale(int width, int height, int target_width, int target_height);

}  // namespace xfer
