#include "jpeg_structure.h"

namespace xfer {
namespace {

constexpr uint8_t kSoi = 0xD8;
constexpr uint8_t kEoi = 0xD9;
constexpr uint8_t kSos = 0xDA;
constexpr uint8_t kTem = 0x01;

bool IsRst(uint8_t m) { return m >= 0xD0 && m <= 0xD7; }

}  // namespace

bool JpegEndsBeforeEoi(const uint8_t* data, size_t size) {
  if (size < 2 || data[0] != 0xFF || data[1] != kSoi) return true;
  size_t pos = 2;
  while (true) {
    // Find the next marker; libjpeg tolerates junk between segments, so do we.
    while (pos < size && data[pos] != 0xFF) ++pos;
    while (pos < size && data[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= size) return true;
    const uint8_t marker = data[pos++];
    if (marker == kEoi) return false;
    if (marker == 0x00 || marker == kTem || IsRst(marker)) continue;  // no length field
    if (size - pos < 2) return true;
    const size_t length = (static_cast<size_t>(data[pos]) << 8) | data[pos + 1];
    if (length < 2 || size - pos < length) return true;
    pos += length;
    if (marker == kSos) {
      // Entropy-coded data: 0xFF is only ever followed by a stuffed 0x00, a
      // restart marker or fill; anything else is the next real marker.
      while (true) {
        if (pos + 1 >= size) return true;
        if (data[pos] == 0xFF && data[pos + 1] != 0x00 && !IsRst(data[pos + 1]) &&
            data[pos + 1] != 0xFF) {
          break;
        }
        ++pos;
      }
    }
  }
}

}  // namespace xfer
