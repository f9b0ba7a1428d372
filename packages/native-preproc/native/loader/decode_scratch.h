// What a worker thread reuses from image to image while reading, decoding and resizing, so that
// steady-state work does no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../ops/image.h"
#include "../ops/resize_bilinear.h"
#include "read_source.h"

namespace xfer {

struct DecodeScratch {
  ReadScratch read;
  RgbImage image;
  ResizeScratch resize;

  // One huge image must not pin hundreds of MB per worker thread for the rest of the process.
  void TrimIfHuge() {
    constexpr size_t kKeep = size_t{64} << 20;
    if (image.pixels.capacity() > kKeep) std::vector<uint8_t>().swap(image.pixels);
    read.TrimIfHuge();
  }
};

}  // namespace xfer
