#include <cuda_runtime_api.h>

#include "cuda_info.h"

namespace xfer {

CudaInfo QueryCuda() {
  CudaInfo info;
  info.built = true;
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    info.reason = cudaGetErrorString(err);
    return info;
  }
  if (count == 0) {
    info.reason = "no CUDA-capable device is detected";
    return info;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    const cudaError_t perr = cudaGetDeviceProperties(&prop, i);
    if (perr != cudaSuccess) {
      info.reason = std::string("device ") + std::to_string(i) + ": " + cudaGetErrorString(perr);
      continue;
    }
    CudaDevice device;
    device.name = prop.name;
    device.major = prop.major;
    device.minor = prop.minor;
    device.memory_bytes = static_cast<uint64_t>(prop.totalGlobalMem);
    info.devices.push_back(device);
  }
  info.available = !info.devices.empty();
  if (info.available) info.reason.clear();
  return info;
}

}  // namespace xfer
