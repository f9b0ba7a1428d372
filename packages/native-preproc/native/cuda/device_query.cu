#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <string>

#include "cuda_info.h"

namespace xfer {

namespace {

std::string CudaVersion(int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); }

// cudart gives one error, cudaErrorInsufficientDriver, both where the driver is
// too old and where there is none at all; the second must not send users off
// to update a driver they do not have.
std::string InsufficientDriverReason() {
  void* driver_library = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (driver_library == nullptr) return "no NVIDIA driver (libcuda.so.1 is not installed)";
  dlclose(driver_library);
  int driver = 0;
  int runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  if (driver == 0) return "libcuda.so.1 is installed but is not a working NVIDIA driver (it reports no CUDA version)";
  return "the NVIDIA driver supports CUDA " + CudaVersion(driver) + ", older than the CUDA " +
         CudaVersion(runtime) + " runtime this addon was built with: update the driver";
}

}  // namespace

CudaInfo QueryCuda() {
  CudaInfo info;
  info.built = true;
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err == cudaErrorInsufficientDriver) {
    info.reason = InsufficientDriverReason();
    return info;
  }
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
