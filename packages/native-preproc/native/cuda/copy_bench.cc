#include "copy_bench.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "cuda_check.h"

namespace xfer {
namespace {

// Frees on every path out of RunCopyBench, including a throw.
struct Buffers {
  std::vector<uint8_t> pageable;
  void* pinned = nullptr;
  void* device_a = nullptr;
  void* device_b = nullptr;
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
  ~Buffers() {
    if (start) cudaEventDestroy(start);
    if (stop) cudaEventDestroy(stop);
    if (pinned) cudaFreeHost(pinned);
    if (device_a) cudaFree(device_a);
    if (device_b) cudaFree(device_b);
  }
};

template <typename Copy>
double BestMs(Buffers& b, int repeats, Copy copy) {
  float best = 0;
  for (int i = 0; i < repeats; ++i) {
    CudaCheck(cudaEventRecord(b.start, nullptr), "cudaEventRecord");
    copy();
    CudaCheck(cudaEventRecord(b.stop, nullptr), "cudaEventRecord");
    CudaCheck(cudaEventSynchronize(b.stop), "cudaEventSynchronize");
    float ms = 0;
    CudaCheck(cudaEventElapsedTime(&ms, b.start, b.stop), "cudaEventElapsedTime");
    best = i == 0 ? ms : std::min(best, ms);
  }
  return best;
}

}  // namespace

CopyBenchResult RunCopyBench(size_t h2d_bytes, size_t d2d_bytes, int repeats) {
  CudaCheck(cudaSetDevice(0), "cudaSetDevice");
  Buffers b;
  // Touched, so the pageable copy does not also time first-touch page faults.
  b.pageable.assign(h2d_bytes, 1);
  CudaCheck(cudaHostAlloc(&b.pinned, std::max<size_t>(h2d_bytes, 1), cudaHostAllocDefault), "cudaHostAlloc");
  std::memset(b.pinned, 1, h2d_bytes);
  const size_t device_bytes = std::max<size_t>(std::max(h2d_bytes, d2d_bytes), 1);
  CudaCheck(cudaMalloc(&b.device_a, device_bytes), "cudaMalloc");
  CudaCheck(cudaMalloc(&b.device_b, device_bytes), "cudaMalloc");
  CudaCheck(cudaEventCreate(&b.start), "cudaEventCreate");
  CudaCheck(cudaEventCreate(&b.stop), "cudaEventCreate");
  CopyBenchResult r;
  r.pageable_h2d_ms = BestMs(b, repeats, [&] {
    CudaCheck(cudaMemcpy(b.device_a, b.pageable.data(), h2d_bytes, cudaMemcpyHostToDevice), "pageable H2D");
  });
  r.pinned_h2d_ms = BestMs(b, repeats, [&] {
    CudaCheck(cudaMemcpy(b.device_a, b.pinned, h2d_bytes, cudaMemcpyHostToDevice), "pinned H2D");
  });
  r.d2d_ms = BestMs(b, repeats, [&] {
    CudaCheck(cudaMemcpy(b.device_b, b.device_a, d2d_bytes, cudaMemcpyDeviceToDevice), "D2D");
  });
  return r;
}

}  // namespace xfer
