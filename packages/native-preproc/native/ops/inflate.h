// Raw DEFLATE (RFC 1951, zip compression method 8) into a buffer of known
// size. Pure function over buffers; the loader uses it for zip entries read
// in place.
#pragma once

#include <cstddef>
#include <cstdint>

#include "status.h"

namespace xfer {

// Inflates `in` into exactly `out_size` bytes at `out`. A stream that ends
// early is TRUNCATED; bad data, or a stream that decodes to a size other than
// out_size, is CORRUPT.
Status InflateRaw(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size);

}  // namespace xfer
