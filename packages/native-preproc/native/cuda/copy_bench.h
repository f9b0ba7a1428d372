// Reference copies for tools/gpu-check: what plain cudaMemcpy achieves for
// the bytes the fused stage moves, to read the stage's times against.
#pragma once

#include <cstddef>

namespace xfer {

struct CopyBenchResult {
  double pageable_h2d_ms = 0;  // cudaMemcpy from malloc'd (pageable) memory
  double pinned_h2d_ms = 0;    // cudaMemcpy from cudaHostAlloc'd memory
  double d2d_ms = 0;           // cudaMemcpy device -> device
};

// Best of `repeats` of each copy: `h2d_bytes` host -> device for both host
// kinds, and `d2d_bytes` device -> device. Throws std::runtime_error naming
// the CUDA error (always, in a build without nvcc).
CopyBenchResult RunCopyBench(size_t h2d_bytes, size_t d2d_bytes, int repeats);

}  // namespace xfer
