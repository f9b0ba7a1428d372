#pragma once

#include <cstddef>
#include <cstdint>

#include "decode.h"

namespace xfer {

// JPEG via the TurboJPEG 2 API (libjpeg-turbo 2.x; no tj3* so that Debian 12's
// 2.1.5 works). Gray, YCbCr, RGB, CMYK and YCCK streams all come out as RGB8.
Status DecodeJpeg(const uint8_t* data, size_t size, const DecodeOptions& options, RgbImage& out);

// The DCT scale DecodeJpeg uses for a target size: the smallest n/8 (n <= 8)
// whose output still covers the target in both dimensions. Ties in output
// size go to the larger factor, as tjDecompress2 resolves them.
// test/helpers.ts (expectedDctScale) restates this rule independently.
//
// Cost note (tjbench, libjpeg-turbo 2.1.5, x86-64): 1/2, 1/4 and 1/8 decode
// faster than 8/8, but 3/8..7/8 decode slower (7/8 at about half the speed
// of 8/8; those IDCTs have no SIMD). Restricting the choice to 1/1,
// 1/2, 1/4, 1/8 measured as fast on the bench corpus at 150x150 and closer to
// exact mode; the rule above is kept because it is the documented contract.
struct JpegScale {
  int num = 1;
  int denom = 1;
  int width = 0;
  int height = 0;
};
JpegScale ChooseJpegScale(int width, int height, int target_width, int target_height);

}  // namespace xfer
