// The Loader's hot path: a bilinear rotation to float32 in AVX2, its taps
// planned four pixels per step. warp.cc runs the same maths as separate
// passes over each row (coordinates, fill mapping, taps and weights, blend);
// this kernel (warp_rows_kernel.h) fuses them, doing the same IEEE operations
// in the same order, so its output has the bits of the portable loop on
// every CPU.
#pragma once

#include <array>

#include "warp.h"
#include "warp_source.h"

namespace xfer {

// True when this build and CPU run WarpBilinearAvx2 and the image suits it:
// both sides at least 2 pixels (a side of 1 maps every coordinate to 0, which
// the portable loop does), and every frame offset fits in int32.
bool CanWarpBilinearAvx2(const WarpSource& s);

// Writes s.width x s.height x 3 floats: each sample of the image at the
// inverse-mapped position `t` (KerasRotationTransform), mapped by `fill`,
// times scale plus offset.
void WarpBilinearAvx2(const WarpSource& s, const std::array<float, 8>& t, FillMode fill, float scale, float offset,
                      float* out);

}  // namespace xfer
