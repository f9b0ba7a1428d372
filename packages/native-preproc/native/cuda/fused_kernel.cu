#include <cuda_runtime_api.h>

#include <algorithm>

#include "fused_kernel.h"

namespace xfer {
namespace {

constexpr int kThreads = 256;

// x: output pixels of one image; y: images (strided, since gridDim.y is at
// most 65535 and a batch may be larger).
__global__ void FusedBatchKernel(const uint8_t* __restrict__ input, const fused::FusedImage* __restrict__ images,
                                 size_t count, fused::FusedParams p, uint8_t* __restrict__ out) {
  const int64_t pixels = static_cast<int64_t>(p.out_width) * p.out_height;
  const int64_t pixel = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (pixel >= pixels) return;
  const int32_t x = static_cast<int32_t>(pixel % p.out_width);
  const int32_t y = static_cast<int32_t>(pixel / p.out_width);
  const size_t pixel_bytes = p.float32 ? 3 * sizeof(float) : 3;
  for (size_t n = blockIdx.y; n < count; n += gridDim.y) {
    const fused::FusedImage im = images[n];
    uint8_t* dst = out + (n * static_cast<size_t>(pixels) + static_cast<size_t>(pixel)) * pixel_bytes;
    fused::FusedPixel(input + im.offset, im, p, x, y, dst);
  }
}

}  // namespace

int LaunchFusedBatch(void* stream, const uint8_t* input, const fused::FusedImage* images, size_t count,
                     const fused::FusedParams& p, void* out) {
  if (count == 0) return cudaSuccess;
  const int64_t pixels = static_cast<int64_t>(p.out_width) * p.out_height;
  const dim3 grid(static_cast<unsigned>((pixels + kThreads - 1) / kThreads),
                  static_cast<unsigned>(std::min<size_t>(count, 65535)));
  FusedBatchKernel<<<grid, kThreads, 0, static_cast<cudaStream_t>(stream)>>>(input, images, count, p,
                                                                            static_cast<uint8_t*>(out));
  return static_cast<int>(cudaGetLastError());
}

}  // namespace xfer
