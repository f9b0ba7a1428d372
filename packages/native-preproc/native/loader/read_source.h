#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../ops/status.h"
#include "source.h"

namespace xfer {

// Buffers a worker keeps across sources so that steady-state reading does no
// allocation: `file` receives whole files and inflated ranges, `packed` the
// compressed bytes of a deflated range.
struct ReadScratch {
  std::vector<uint8_t> file;
  std::vector<uint8_t> packed;
  void TrimIfHuge();
};

// Points `data`/`size` at the source's encoded bytes: the borrowed bytes
// themselves, or scratch.file after reading (and inflating) the file part.
// Files and ranges above kMaxSourceBytes are refused with TOO_LARGE.
Status ReadSource(const Source& source, ReadScratch& scratch, const uint8_t*& data, size_t& size);

// No supported image needs a gigabyte of compressed data, and reading one
// would stall a worker for seconds.
constexpr uint64_t kMaxSourceBytes = uint64_t{1} << 30;

}  // namespace xfer
