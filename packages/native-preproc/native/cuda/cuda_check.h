// Turns a cudaError_t into the exception the host code throws.
#pragma once

#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace xfer {

inline void CudaCheck(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw std::runtime_error(std::string("CUDA ") + what + ": " + cudaGetErrorString(err));
}

}  // namespace xfer
