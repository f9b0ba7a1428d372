// Compiled instead of cuda_stage.cc, pinned_allocator.cc and copy_bench.cc
// when the addon is built without nvcc. Nothing calls these: the device
// choice (loader/device_choice.h) never picks CUDA in such a build, and the
// binding reports CUDA as unavailable first. They throw in case that changes.
#include <stdexcept>

#include "copy_bench.h"
#include "cuda_stage.h"
#include "pinned_allocator.h"

namespace xfer {
namespace {

[[noreturn]] void NotBuilt() { throw std::runtime_error("this build of the addon has no CUDA support"); }

}  // namespace

struct CudaStage::Impl {};

CudaStage::CudaStage(size_t, size_t, size_t, const fused::FusedParams&) { NotBuilt(); }
CudaStage::~CudaStage() = default;
size_t CudaStage::slots() const { return 0; }
uint8_t* CudaStage::input(size_t) { NotBuilt(); }
fused::FusedImage* CudaStage::images(size_t) { NotBuilt(); }
void CudaStage::Run(size_t, size_t, size_t, void*, StageTiming*) { NotBuilt(); }
DeviceBatch CudaStage::device_batch(size_t) const { return DeviceBatch{}; }

std::unique_ptr<SlotAllocator> MakePinnedSlotAllocator() { NotBuilt(); }

CopyBenchResult RunCopyBench(size_t, size_t, int) { NotBuilt(); }

}  // namespace xfer
