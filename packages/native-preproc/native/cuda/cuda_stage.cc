#include "cuda_stage.h"

#include <cuda_runtime_api.h>

#include <vector>

#include "cuda_check.h"
#include "fused_batch.h"
#include "fused_kernel.h"

namespace xfer {

namespace {

struct SlotBuffers {
  cudaStream_t stream = nullptr;
  cudaEvent_t marks[4] = {nullptr, nullptr, nullptr, nullptr};  // start, after H2D, after kernel, after D2H
  uint8_t* host_input = nullptr;                                 // pinned
  fused::FusedImage* host_images = nullptr;                      // pinned
  uint8_t* device_input = nullptr;
  fused::FusedImage* device_images = nullptr;
  uint8_t* device_output = nullptr;
  size_t count = 0;  // images of the last Run
};

void Release(SlotBuffers& b) {
  // Errors are ignored: this runs from destructors and on failed setup.
  if (b.stream) cudaStreamSynchronize(b.stream);
  for (cudaEvent_t& e : b.marks) {
    if (e) cudaEventDestroy(e);
  }
  if (b.stream) cudaStreamDestroy(b.stream);
  if (b.host_input) cudaFreeHost(b.host_input);
  if (b.host_images) cudaFreeHost(b.host_images);
  if (b.device_input) cudaFree(b.device_input);
  if (b.device_images) cudaFree(b.device_images);
  if (b.device_output) cudaFree(b.device_output);
  b = SlotBuffers{};
}

}  // namespace

struct CudaStage::Impl {
  fused::FusedParams params;
  size_t input_capacity = 0;
  size_t max_images = 0;
  size_t output_image_bytes = 0;
  std::vector<SlotBuffers> slots;

  ~Impl() {
    for (SlotBuffers& b : slots) Release(b);
  }
};

CudaStage::CudaStage(size_t slots, size_t input_capacity, size_t max_images, const fused::FusedParams& params)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.params = params;
  m.input_capacity = input_capacity;
  m.max_images = max_images;
  m.output_image_bytes = FusedOutputImageBytes(params);
  CudaCheck(cudaSetDevice(0), "cudaSetDevice");
  m.slots.resize(slots);
  // On a throw, ~Impl releases whatever was set up.
  for (SlotBuffers& b : m.slots) {
    CudaCheck(cudaStreamCreateWithFlags(&b.stream, cudaStreamNonBlocking), "cudaStreamCreate");
    for (cudaEvent_t& e : b.marks) CudaCheck(cudaEventCreate(&e), "cudaEventCreate");
    CudaCheck(cudaHostAlloc(reinterpret_cast<void**>(&b.host_input), input_capacity, cudaHostAllocDefault),
              "cudaHostAlloc (decoded images)");
    CudaCheck(cudaHostAlloc(reinterpret_cast<void**>(&b.host_images), max_images * sizeof(fused::FusedImage),
                            cudaHostAllocDefault),
              "cudaHostAlloc (descriptors)");
    CudaCheck(cudaMalloc(reinterpret_cast<void**>(&b.device_input), input_capacity), "cudaMalloc (decoded images)");
    CudaCheck(cudaMalloc(reinterpret_cast<void**>(&b.device_images), max_images * sizeof(fused::FusedImage)),
              "cudaMalloc (descriptors)");
    CudaCheck(cudaMalloc(reinterpret_cast<void**>(&b.device_output), max_images * m.output_image_bytes),
              "cudaMalloc (batch)");
  }
}

CudaStage::~CudaStage() = default;

size_t CudaStage::slots() const { return impl_->slots.size(); }
uint8_t* CudaStage::input(size_t s) { return impl_->slots[s].host_input; }
fused::FusedImage* CudaStage::images(size_t s) { return impl_->slots[s].host_images; }

void CudaStage::Run(size_t s, size_t count, size_t input_bytes, void* host_out, StageTiming* timing) {
  Impl& m = *impl_;
  if (count > m.max_images || input_bytes > m.input_capacity) {
    throw std::runtime_error("CudaStage::Run: the batch exceeds the stage's capacity");
  }
  SlotBuffers& b = m.slots[s];
  const size_t output_bytes = count * m.output_image_bytes;
  CudaCheck(cudaSetDevice(0), "cudaSetDevice");
  CudaCheck(cudaEventRecord(b.marks[0], b.stream), "cudaEventRecord");
  CudaCheck(cudaMemcpyAsync(b.device_input, b.host_input, input_bytes, cudaMemcpyHostToDevice, b.stream),
            "H2D copy of the decoded images");
  CudaCheck(cudaMemcpyAsync(b.device_images, b.host_images, count * sizeof(fused::FusedImage),
                            cudaMemcpyHostToDevice, b.stream),
            "H2D copy of the descriptors");
  CudaCheck(cudaEventRecord(b.marks[1], b.stream), "cudaEventRecord");
  CudaCheck(static_cast<cudaError_t>(
                LaunchFusedBatch(b.stream, b.device_input, b.device_images, count, m.params, b.device_output)),
            "fused batch kernel launch");
  CudaCheck(cudaEventRecord(b.marks[2], b.stream), "cudaEventRecord");
  CudaCheck(cudaMemcpyAsync(host_out, b.device_output, output_bytes, cudaMemcpyDeviceToHost, b.stream),
            "D2H copy of the batch");
  CudaCheck(cudaEventRecord(b.marks[3], b.stream), "cudaEventRecord");
  CudaCheck(cudaStreamSynchronize(b.stream), "fused batch");
  b.count = count;
  if (timing) {
    CudaCheck(cudaEventElapsedTime(&timing->h2d_ms, b.marks[0], b.marks[1]), "cudaEventElapsedTime");
    CudaCheck(cudaEventElapsedTime(&timing->kernel_ms, b.marks[1], b.marks[2]), "cudaEventElapsedTime");
    CudaCheck(cudaEventElapsedTime(&timing->d2h_ms, b.marks[2], b.marks[3]), "cudaEventElapsedTime");
  }
}

DeviceBatch CudaStage::device_batch(size_t s) const {
  const SlotBuffers& b = impl_->slots[s];
  DeviceBatch d;
  d.data = b.device_output;
  d.count = b.count;
  d.bytes = b.count * impl_->output_image_bytes;
  d.stream = b.stream;
  return d;
}

}  // namespace xfer
