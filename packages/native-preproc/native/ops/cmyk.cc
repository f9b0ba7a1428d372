#include "cmyk.h"

namespace xfer {
namespace {

inline uint8_t MulDiv255(unsigned a, unsigned b) {
  // Exact round(a*b/255) for a, b in 0..255.
  const unsigned t = a * b + 128;
  return static_cast<uint8_t>((t + (t >> 8)) >> 8);
}

}  // namespace

void AdobeCmykToRgbInPlace(uint8_t* buffer, size_t pixels) {
  // Forward order is safe in place: pixel i is read from [4i, 4i+4) before
  // [3i, 3i+3) is written, and no later pixel reads below 4(i+1).
  for (size_t i = 0; i < pixels; ++i) {
    const uint8_t* s = buffer + 4 * i;
    const unsigned c = s[0], m = s[1], y = s[2], k = s[3];
    uint8_t* d = buffer + 3 * i;
    d[0] = MulDiv255(c, k);
    d[1] = MulDiv255(m, k);
    d[2] = MulDiv255(y, k);
  }
}

}  // namespace xfer
