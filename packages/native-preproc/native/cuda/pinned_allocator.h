// Page-locked host memory for the loader's batch ring when the CUDA path
// runs: the D2H copy of each batch lands in it by DMA. See slot_ring.h.
#pragma once

#include <memory>

#include "../loader/slot_ring.h"

namespace xfer {

// cudaHostAlloc-backed slots ("pinned"). Allocate throws std::bad_alloc when
// the driver refuses. A build without nvcc links a stub that always throws.
std::unique_ptr<SlotAllocator> MakePinnedSlotAllocator();

}  // namespace xfer
