#include "jpeg_structure.h"

#include <cstring>

namespace xfer {
namespace {

constexpr uint8_t kSoi = 0xD8;
constexpr uint8_t kEoi = 0xD9;
constexpr uint8_t kSos = 0xDA;
constexpr uint8_t kTem = 0x01;

bool IsRst(uint8_t m) { return m >= 0xD0 && m <= 0xD7; }

// Position of the next 0xFF at or after pos, or size. memchr, because entropy
// data is most of a file and this walk runs before every JPEG decode.
size_t FindFf(const uint8_t* data, size_t size, size_t pos) {
  if (pos >= size) return size;
  const void* hit = std::memchr(data + pos, 0xFF, size - pos);
  return hit == nullptr ? size : static_cast<size_t>(static_cast<const uint8_t*>(hit) - data);
}

enum class WalkEnd { kEoi, kEndsEarly };

// Calls on_marker(code) for every marker after SOI, in stream order, and says
// how the walk ended. It follows libjpeg's reading rules: junk between
// segments is skipped, and inside entropy-coded data 0xFF is only ever
// followed by a stuffed 0x00, a restart marker or fill, so anything else is
// the next real marker.
template <typename OnMarker>
WalkEnd WalkMarkers(const uint8_t* data, size_t size, OnMarker on_marker) {
  if (size < 2 || data[0] != 0xFF || data[1] != kSoi) return WalkEnd::kEndsEarly;
  size_t pos = 2;
  while (true) {
    pos = FindFf(data, size, pos);
    while (pos < size && data[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= size) return WalkEnd::kEndsEarly;
    const uint8_t marker = data[pos++];
    if (marker == 0x00) continue;  // a stray stuffed byte, not a marker
    on_marker(marker);
    if (marker == kEoi) return WalkEnd::kEoi;
    if (marker == kTem || IsRst(marker)) continue;  // no length field
    if (size - pos < 2) return WalkEnd::kEndsEarly;
    const size_t length = (static_cast<size_t>(data[pos]) << 8) | data[pos + 1];
    if (length < 2 || size - pos < length) return WalkEnd::kEndsEarly;
    pos += length;
    if (marker != kSos) continue;
    while (true) {
      pos = FindFf(data, size, pos);
      if (pos + 1 >= size) return WalkEnd::kEndsEarly;
      const uint8_t next = data[pos + 1];
      if (next != 0x00 && next != 0xFF && !IsRst(next)) break;
      ++pos;
    }
  }
}

}  // namespace

bool JpegEndsBeforeEoi(const uint8_t* data, size_t size) {
  return WalkMarkers(data, size, [](uint8_t) {}) == WalkEnd::kEndsEarly;
}

size_t CountJpegScans(const uint8_t* data, size_t size) {
  size_t scans = 0;
  WalkMarkers(data, size, [&scans](uint8_t marker) { scans += marker == kSos; });
  return scans;
}

}  // namespace xfer
