#include "pinned_allocator.h"

#include <cuda_runtime_api.h>

#include <new>

namespace xfer {
namespace {

class PinnedSlotAllocator final : public SlotAllocator {
 public:
  void* Allocate(size_t bytes) override {
    // cudaHostAlloc returns page-aligned memory, so kSlotAlignment holds.
    void* p = nullptr;
    if (cudaHostAlloc(&p, bytes == 0 ? kSlotAlignment : bytes, cudaHostAllocDefault) != cudaSuccess) {
      throw std::bad_alloc();
    }
    return p;
  }
  void Free(void* p, size_t /*bytes*/) noexcept override { cudaFreeHost(p); }
  const char* kind() const override { return "pinned"; }
};

}  // namespace

std::unique_ptr<SlotAllocator> MakePinnedSlotAllocator() { return std::make_unique<PinnedSlotAllocator>(); }

}  // namespace xfer
