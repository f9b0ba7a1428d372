// The fused batch kernel's launcher. Declared without CUDA types so plain C++
// (cuda_stage.cc) can call it; `stream` is a cudaStream_t.
#pragma once

#include <cstddef>
#include <cstdint>

#include "fused_pixel.h"

namespace xfer {

// Enqueues one kernel on `stream` that writes `count` images of the batch
// (NHWC, FusedOutputImageBytes(p) each) into device memory `out`, reading the
// packed decoded pixels `input` and the descriptors `images` (both device
// memory). One thread per output pixel. Returns the launch's cudaError_t.
int LaunchFusedBatch(void* stream, const uint8_t* input, const fused::FusedImage* images, size_t count,
                     const fused::FusedParams& p, void* out);

}  // namespace xfer
