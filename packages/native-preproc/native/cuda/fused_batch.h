// Host side of the fused batch: building the per-image descriptors the
// kernel reads, and the same maths run on the CPU (for tests and the GPU
// check; the Loader's CPU path is ops/resize_bilinear + ops/warp, not this).
#pragma once

#include <cstddef>
#include <cstdint>

#include "../ops/image.h"
#include "../ops/warp.h"
#include "fused_pixel.h"

namespace xfer {

// Image `width` x `height` at byte `offset` of the packed input, flipped and
// rotated by `angle` (radians, Keras' convention) as WarpParams describe,
// at the batch's output size.
fused::FusedImage DescribeFusedImage(uint64_t offset, int width, int height, bool flip_h, bool flip_v, double angle,
                                     int out_width, int out_height);

// The shared part of a batch: output size, the warp's fill and
// interpolation (flips and angle are per image), normalization, sample type.
fused::FusedParams MakeFusedParams(int out_width, int out_height, const WarpParams& warp, OutputType type);

// Bytes one image takes in the output: out_width * out_height * 3 samples.
size_t FusedOutputImageBytes(const fused::FusedParams& p);

// Runs the fused maths on this thread: `count` images from the packed
// `input` into `out` (NHWC, FusedOutputImageBytes(p) per image).
void RunFusedBatchHost(const uint8_t* input, const fused::FusedImage* images, size_t count,
                       const fused::FusedParams& p, void* out);

}  // namespace xfer
