// The staging end of the engine (see loader.h): the ring of batch slots and,
// on the CUDA path, the stage that feeds the fused kernel; then per image the
// fused augment + normalize into its slot (CPU), or its copy into the
// slot's stage buffer and, per batch, the kernel run (CUDA).
#include <cstring>

#include "../cuda/cuda_stage.h"
#include "../cuda/fused_batch.h"
#include "../cuda/pinned_allocator.h"
#include "../ops/warp.h"
#include "byte_size.h"
#include "guarded.h"
#include "loader.h"

namespace xfer {

void LoaderEngine::AllocateOutput(size_t ring_count, size_t batch) {
  const size_t slot_bytes = ByteProduct(batch, out_image_bytes_);
  if (!device_.cuda) {
    ring_ = std::make_shared<SlotRing>(MakeHostSlotAllocator(), ring_count, slot_bytes);
    return;
  }
  ring_ = std::make_shared<SlotRing>(MakePinnedSlotAllocator(), ring_count, slot_bytes);
  // One stage per ring slot: a slot's images are staged while earlier slots
  // are on the GPU.
  stage_ = std::make_unique<CudaStage>(ring_count, ByteProduct(batch, cache_image_bytes_), batch,
                                       MakeFusedParams(config_.width, config_.height, Warp(AugmentDraw{}), config_.type));
}

WarpParams LoaderEngine::Warp(const AugmentDraw& draw) const {
  WarpParams params;
  params.flip_horizontal = draw.flip_horizontal;
  params.flip_vertical = draw.flip_vertical;
  params.angle = draw.angle;
  params.fill = config_.augment.fill;
  params.fill_value = config_.augment.fill_value;
  params.interpolation = config_.augment.interpolation;
  params.scale = config_.scale;
  params.offset = config_.offset;
  return params;
}

LoaderEngine::TaskOutcome LoaderEngine::RunAugment(const Task& task, Scratch& scratch) {
  const Clock::time_point t0 = Clock::now();
  const WarpParams params = Warp(DrawAugment(config_.augment, config_.seed, task.epoch, task.source));
  const size_t slot = static_cast<size_t>(task.slot);
  TaskOutcome outcome;
  outcome.status = Guarded([&] {
    if (stage_) {
      // Staged for the GPU task; the kernel does the flip/rotate/normalize.
      const size_t offset = task.place * cache_image_bytes_;
      std::memcpy(stage_->input(slot) + offset, task.pixels, cache_image_bytes_);
      stage_->images(slot)[task.place] =
          DescribeFusedImage(offset, config_.width, config_.height, params.flip_horizontal, params.flip_vertical,
                             params.angle, config_.width, config_.height);
    } else {
      uint8_t* dst = ring_->data(slot) + task.place * out_image_bytes_;
      AugmentRgb(task.pixels, config_.width, config_.height, params, dst, config_.type, scratch.warp);
    }
    return Status::Ok();
  });
  augment_ns_ += NsSince(t0, Clock::now());
  return outcome;
}

LoaderEngine::TaskOutcome LoaderEngine::RunGpu(const Task& task) {
  const Clock::time_point t0 = Clock::now();
  const size_t slot = static_cast<size_t>(task.slot);
  TaskOutcome outcome;
  outcome.status = Guarded([&] {
    stage_->Run(slot, task.place, task.place * cache_image_bytes_, ring_->data(slot), nullptr);
    return Status::Ok();
  });
  gpu_ns_ += NsSince(t0, Clock::now());
  return outcome;
}

DeviceBatch LoaderEngine::device_batch(int slot) const {
  if (!stage_ || slot < 0 || static_cast<size_t>(slot) >= stage_->slots()) return DeviceBatch{};
  return stage_->device_batch(static_cast<size_t>(slot));
}

}  // namespace xfer
