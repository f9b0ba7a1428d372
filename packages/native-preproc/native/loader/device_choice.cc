#include "device_choice.h"

#include <mutex>

namespace xfer {

DeviceChoice ChooseDevice(DeviceRequest request, const CudaInfo& cuda, size_t batch_size, int width, int height) {
  DeviceChoice c;
  const std::string unavailable = "CUDA is not available (" + cuda.reason + ")";
  switch (request) {
    case DeviceRequest::kCpu:
      c.reason = "device 'cpu' was requested";
      return c;
    case DeviceRequest::kCuda:
      if (!cuda.available) {
        c.error = true;
        c.reason = "device 'cuda' was requested but " + unavailable;
        return c;
      }
      c.cuda = true;
      c.reason = "device 'cuda' was requested (" + cuda.devices.front().name + ")";
      return c;
    case DeviceRequest::kAuto:
      break;
  }
  if (!cuda.available) {
    c.reason = "auto: " + unavailable;
    return c;
  }
  const uint64_t pixels = static_cast<uint64_t>(batch_size) * static_cast<uint64_t>(width) * static_cast<uint64_t>(height);
  const std::string size = std::to_string(batch_size) + " x " + std::to_string(width) + " x " + std::to_string(height) +
                           " = " + std::to_string(pixels) + " pixels";
  if (pixels < kAutoMinBatchPixels) {
    c.reason = "auto: a batch of " + size + " is below the " + std::to_string(kAutoMinBatchPixels) +
               " that pays for a GPU round trip";
    return c;
  }
  c.cuda = true;
  c.reason = "auto: " + cuda.devices.front().name + ", a batch of " + size + " (at least " +
             std::to_string(kAutoMinBatchPixels) + ")";
  return c;
}

const CudaInfo& CachedCudaInfo() {
  static std::once_flag once;
  static CudaInfo cached;
  std::call_once(once, [] { cached = QueryCuda(); });
  return cached;
}

}  // namespace xfer
