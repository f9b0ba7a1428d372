#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../ops/status.h"

namespace xfer {

// Whole-file read into the front of `buffer`; `size` receives the byte count.
// `buffer` only ever grows, so a worker that reuses it stops allocating (and
// zero-filling) once it has seen its largest file. Files above `max_bytes`
// are refused with TOO_LARGE rather than read.
Status ReadWholeFile(const std::string& path, uint64_t max_bytes, std::vector<uint8_t>& buffer, size_t& size);

}  // namespace xfer
