// Compiled instead of device_query.cu when CMake found no nvcc (or CUDA was
// switched off with XFER_WITH_CUDA=OFF), so the addon
// and its info() look the same with or without CUDA.
#include "cuda_info.h"

#ifndef XFER_CUDA_STUB_REASON
#define XFER_CUDA_STUB_REASON "built without CUDA: nvcc was not found at build time"
#endif

namespace xfer {

CudaInfo QueryCuda() {
  CudaInfo info;
  info.built = false;
  info.available = false;
  info.reason = XFER_CUDA_STUB_REASON;
  return info;
}

}  // namespace xfer
