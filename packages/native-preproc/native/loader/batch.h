// The batch job: N sources -> one preallocated NHWC tensor, decoded and resized
// on the pool threads. Each slot depends only on its own source, so the bytes
// are the same whatever the thread count or scheduling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../ops/decode.h"
#include "../ops/resize_bilinear.h"
#include "../ops/status.h"
#include "source.h"

namespace xfer {

struct BatchSpec {
  int width = 0;
  int height = 0;
  // Full-scale decode then resize (TF2 parity) instead of DCT-scaled decode.
  bool exact = false;
  OutputType type = OutputType::kUint8;
  size_t threads = 1;
  uint64_t max_pixels = 100000000;
};

struct ItemOutcome {
  ErrorCode code = ErrorCode::kOk;
  std::string message;
  bool warned = false;
  bool done = false;  // set by the worker that handled the item
};

// `out` holds sources.size() slots of height*width*3 samples of spec.type.
// Successful slots are fully written, failed slots are zeroed; `outcomes`
// gets one entry per source.
void RunResizeBatch(const std::vector<Source>& sources, const BatchSpec& spec, void* out,
                    std::vector<ItemOutcome>& outcomes);

// One full-scale decode (reading the file first for a path source).
Status LoadAndDecode(const Source& source, uint64_t max_pixels, RgbImage& image);

}  // namespace xfer
