// The GPU half of a batch: a ring of per-slot stages, each with its own CUDA
// stream, a pinned host buffer the CPU threads fill with decoded uint8
// images, the descriptors of those images, and device buffers for the input
// and for the normalized batch.
//
//   CPU threads: memcpy images into input(s), fill images(s)   (slot s)
//   Run(s):      H2D input + descriptors -> fused kernel -> D2H into host_out
//
// Slots are independent, so while slot s is copied and computed on its
// stream, the CPU threads fill slot s+1 (double buffering and more, one
// stream per slot). The batch stays in device memory after Run:
// device_batch(s) is the handle a GPU-resident consumer would use instead
// of the host copy.
//
// Only constructed when a device was found (loader/device_choice.h); a build
// without nvcc links cuda_stage_stub.cc, whose constructor throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "fused_pixel.h"

namespace xfer {

struct StageTiming {
  float h2d_ms = 0;     // input bytes + descriptors, pinned -> device
  float kernel_ms = 0;  // the fused kernel
  float d2h_ms = 0;     // the batch, device -> host_out
};

// A batch in device memory: `count` NHWC images of FusedOutputImageBytes
// each, valid until the next Run of its slot. `stream` (a cudaStream_t) is
// the slot's stream; work queued on it after Run sees the finished batch.
struct DeviceBatch {
  const void* data = nullptr;
  size_t bytes = 0;
  size_t count = 0;
  void* stream = nullptr;
};

class CudaStage {
 public:
  // `slots` stages on device 0, each taking up to `max_images` images whose
  // decoded pixels total at most `input_capacity` bytes, with the shared
  // parameters `params`. Throws std::runtime_error naming the CUDA error
  // (std::bad_alloc is not used: pinned memory can fail for other reasons).
  CudaStage(size_t slots, size_t input_capacity, size_t max_images, const fused::FusedParams& params);
  ~CudaStage();
  CudaStage(const CudaStage&) = delete;
  CudaStage& operator=(const CudaStage&) = delete;

  size_t slots() const;
  // Pinned host memory of slot `s`: the packed decoded RGB8 pixels, and one
  // descriptor per image (FusedImage::offset indexes input(s)).
  uint8_t* input(size_t s);
  fused::FusedImage* images(size_t s);

  // Copies the first `input_bytes` of input(s) and `count` descriptors to the
  // device, runs the kernel, copies the batch to `host_out` (pinned memory,
  // e.g. a ring slot, so the copy is a DMA), and waits for all of it.
  // `timing`, when given, gets the three steps' device times. Thread-safe
  // across different slots; one call per slot at a time. Throws
  // std::runtime_error on a CUDA error.
  void Run(size_t s, size_t count, size_t input_bytes, void* host_out, StageTiming* timing);

  DeviceBatch device_batch(size_t s) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xfer
