// What the CUDA side of the addon can do here. Plain C++ types so that the
// binding can report it without including any CUDA header.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xfer {

struct CudaDevice {
  std::string name;
  int major = 0;
  int minor = 0;
  uint64_t memory_bytes = 0;
};

struct CudaInfo {
  bool built = false;      // compiled with nvcc
  bool available = false;  // a usable device was found at run time
  std::vector<CudaDevice> devices;
  std::string reason;      // why not available (empty when available)
};

// Safe to call without a driver or GPU: cudart is linked statically, so it
// reports cudaErrorInsufficientDriver instead of failing to load.
CudaInfo QueryCuda();

}  // namespace xfer
