// A marker-level walk over a JPEG stream. It reads no pixels: it classifies a
// failure libjpeg already reported, and counts scans before libjpeg starts.
#pragma once

#include <cstddef>
#include <cstdint>

namespace xfer {

// True when the stream ends before its EOI marker: inside a marker segment,
// inside entropy-coded data, or between markers. Trailing bytes after EOI are
// ignored, as every decoder does. TurboJPEG 2 keeps just one message per
// decode, so "was it cut short?" cannot be read reliably from its error string.
bool JpegEndsBeforeEoi(const uint8_t* data, size_t size);

// The number of SOS (start of scan) markers before EOI or the end of the data.
// A progressive stream can repeat scans thousands of times, and libjpeg
// re-walks the whole coefficient buffer for each one, so a few hundred KB can
// cost minutes; counting them first costs one pass over the bytes.
size_t CountJpegScans(const uint8_t* data, size_t size);

}  // namespace xfer
