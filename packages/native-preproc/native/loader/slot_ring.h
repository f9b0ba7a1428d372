// Batch memory: the ring of preallocated slots the loader fills and JS reads.
//
// SlotAllocator is the one place that decides what kind of memory a slot is.
// Today it is 64-byte-aligned pageable host memory; a CUDA build would add an
// allocator backed by cudaHostAlloc (pinned, so cudaMemcpyAsync can DMA from
// it) and pass it to SlotRing instead. Nothing else in the loader changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace xfer {

class SlotAllocator {
 public:
  virtual ~SlotAllocator() = default;
  // Returns `bytes` of memory aligned to at least kSlotAlignment. Throws
  // std::bad_alloc on failure.
  virtual void* Allocate(size_t bytes) = 0;
  virtual void Free(void* p, size_t bytes) noexcept = 0;
  // "host" today; "pinned" for a cudaHostAlloc allocator.
  virtual const char* kind() const = 0;
};

constexpr size_t kSlotAlignment = 64;

// 64-byte-aligned host memory (posix_memalign / _aligned_malloc).
std::unique_ptr<SlotAllocator> MakeHostSlotAllocator();

// `count` slots of `slot_bytes` each, allocated once. Shared (std::shared_ptr)
// between the loader and every JS ArrayBuffer that views a slot, so the
// memory outlives close() for as long as JS can still read it.
class SlotRing {
 public:
  SlotRing(std::unique_ptr<SlotAllocator> allocator, size_t count, size_t slot_bytes);
  ~SlotRing();
  SlotRing(const SlotRing&) = delete;
  SlotRing& operator=(const SlotRing&) = delete;

  size_t count() const { return slots_.size(); }
  size_t slot_bytes() const { return slot_bytes_; }
  uint8_t* data(size_t i) const { return slots_[i]; }
  const char* memory_kind() const { return allocator_->kind(); }

 private:
  std::unique_ptr<SlotAllocator> allocator_;
  size_t slot_bytes_;
  std::vector<uint8_t*> slots_;
};

}  // namespace xfer
