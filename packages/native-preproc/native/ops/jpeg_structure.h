// A marker-level walk over a JPEG stream, used only to classify a failure that
// libjpeg already reported. TurboJPEG 2 keeps just one message per decode, so
// "was it cut short?" cannot be read reliably from its error string alone.
#pragma once

#include <cstddef>
#include <cstdint>

namespace xfer {

// True when the stream ends before its EOI marker: inside a marker segment,
// inside entropy-coded data, or between markers. Trailing bytes after EOI are
// ignored, as every decoder does.
bool JpegEndsBeforeEoi(const uint8_t* data, size_t size);

}  // namespace xfer
