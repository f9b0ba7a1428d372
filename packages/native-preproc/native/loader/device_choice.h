// Where a Loader runs its augment + normalize stage: the CPU threads, or the
// fused CUDA kernel (native/cuda/cuda_stage.h). Decided once, when the
// Loader is created, from what was asked for and what this machine has.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "../cuda/cuda_info.h"

namespace xfer {

enum class DeviceRequest { kAuto = 0, kCpu = 1, kCuda = 2 };

// 'auto' picks CUDA only for batches of at least this many output pixels
// (batch x width x height): below it, the fixed cost of a stream round trip
// (two copies, a launch, a synchronize; tens of microseconds) is a large
// share of the work the CPU threads would do. 2^18 is about 12 images of
// 150x150. An estimate: tools/gpu-check.sh measures the crossover.
constexpr uint64_t kAutoMinBatchPixels = uint64_t{1} << 18;

struct DeviceChoice {
  bool cuda = false;
  // Why, in words: e.g. "auto: CUDA is not available (no CUDA-capable device
  // is detected)". Empty only when `error` is set.
  std::string reason;
  // Set when the request cannot be met ('cuda' without a usable device).
  bool error = false;
};

DeviceChoice ChooseDevice(DeviceRequest request, const CudaInfo& cuda, size_t batch_size, int width, int height);

// QueryCuda(), asked once per process: initialising the CUDA runtime can
// take a noticeable time, and the answer cannot change within a process.
const CudaInfo& CachedCudaInfo();

}  // namespace xfer
