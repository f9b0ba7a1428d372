// The row loops of the bilinear resize in AVX2: the horizontal pass two
// pixels per step (taps read straight from the RGB8 row), the vertical pass
// to uint8 32 samples per step. Same IEEE operations in the same order as the
// portable loops in resize_bilinear.cc, which finish each row, so the bits
// are the same on every CPU.
#pragma once

#include <cstddef>
#include <cstdint>

namespace xfer {

// HorizontalPass for the pixels [x_begin, n) of the row, x_begin and n even
// and n below dst_w, stopping early where a tap pair's 8-byte load would pass
// `readable` bytes. Returns the pixel it stopped at.
int HorizontalPairsAvx2(const uint8_t* row, size_t readable, const size_t* lo, const float* frac, int x_begin,
                        int dst_w, float* out);

// VerticalPassU8 for samples [0, m), m a multiple of 32. Returns m.
size_t VerticalPassU8Avx2(const float* top, const float* bottom, float fy, size_t n, uint8_t* out);

}  // namespace xfer
