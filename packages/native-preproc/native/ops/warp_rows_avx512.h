// The rotation of warp_rows_avx2.h with its planning in AVX-512: eight
// coordinates per double-precision op instead of four. The blend is the
// AVX2 kernel's (warp_rows_kernel.h), and so are the bits.
#pragma once

#include <array>

#include "warp.h"
#include "warp_source.h"

namespace xfer {

// WarpBilinearAvx2 for a CPU where HaveAvx512() holds; the same conditions
// on the image (CanWarpBilinearAvx2).
void WarpBilinearAvx512(const WarpSource& s, const std::array<float, 8>& t, FillMode fill, float scale, float offset,
                        float* out);

}  // namespace xfer
