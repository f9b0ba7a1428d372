// The training loader: its own worker threads, a uint8 image cache and a
// bounded ring of batch slots.
//
//   source --read--> bytes --decode (DCT-scaled)--> RGB --resize--> uint8 HxWx3
//          [cache: memory | disk | none (a small staging pool)]
//          --augment+normalize (one fused pass)--> slot j of a ring batch
//
// On the CUDA path (device_choice.h) the last step is split: augment tasks
// copy each uint8 image into the slot's pinned stage buffer, and once the
// batch is complete a GPU task runs the fused kernel for the whole batch
// (cuda/cuda_stage.h) and copies it into the (pinned) ring slot. The kernel
// computes what the CPU pass would, so batches are the same either way
// (test/cuda.test.ts checks the maths on the host).
//
// Scheduling (all under one mutex; the work itself runs unlocked):
// - An epoch visits the sources in a seeded order. Workers claim decodes in
//   that order, at most `window` positions ahead of the assembly cursor, so a
//   consumer that stops reading stops the producer (backpressure).
// - The assembly cursor walks positions in order. A failed image is skipped
//   (or, with throw_on_error, ends the epoch with an error after the batches
//   before it); a decoded one is given the next place in the current batch,
//   and an augment task that writes it there is queued. So batch membership
//   depends only on the order and on which images fail: never on timing.
// - Augment tasks run before decodes. A batch whose images are all written is
//   handed out in order; JS holds its slot until Release().
// - Every draw is keyed by (seed, epoch, source index): see rng.h.
// Nothing thrown by an image escapes a worker; a failed image becomes a
// typed outcome and the loader goes on.
//
// The engine's methods are defined by concern:
//   loader.cc            lifetime, the requests JS makes, the worker loop, stats
//   loader_schedule.cc   epoch order, batch assembly, which task runs next
//   loader_pipeline.cc   the cache's set-up and read -> decode -> resize into it
//   loader_staging.cc    the ring (and CUDA stage), augment + normalize into slots
//   cache_fingerprint.cc the disk cache's key
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "../ops/image.h"
#include "../ops/status.h"
#include "decode_scratch.h"
#include "device_choice.h"
#include "image_cache.h"
#include "rng.h"
#include "slot_ring.h"
#include "source.h"

namespace xfer {

class CudaStage;
struct DeviceBatch;

enum class CacheKind { kNone, kMemory, kDisk };

// Plain values, read from JS once by binding/loader_config.cc. The limits on
// them are the TS layer's (src/limits.ts); the engine only guards its own
// size arithmetic.
struct LoaderConfig {
  std::vector<Source> sources;
  std::vector<int32_t> labels;  // one per source
  int width = 0;
  int height = 0;
  bool exact = false;  // full-scale decode instead of DCT-scaled
  uint64_t max_pixels = 100000000;
  size_t batch_size = 1;
  bool drop_remainder = false;
  bool shuffle = false;
  uint64_t seed = 0;
  AugmentSpec augment;
  float scale = 1.0f;
  float offset = 0.0f;
  OutputType type = OutputType::kFloat32;
  CacheKind cache = CacheKind::kMemory;
  std::string cache_path;
  size_t prefetch = 2;  // batches prepared ahead; the ring has prefetch + 1 slots
  size_t threads = 1;
  bool throw_on_error = false;
  DeviceRequest device = DeviceRequest::kCpu;
};

// Thrown by the LoaderEngine constructor when device 'cuda' was requested and
// no usable device exists; what() is the DeviceChoice's reason.
class DeviceUnavailableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NextResult {
  enum class Kind {
    kBatch,       // slot, count, labels, indices
    kEnd,         // the epoch is over
    kError,       // throw_on_error: source failed (code, message)
    kSuperseded,  // a newer epoch was started
    kClosed,
    kFatal,  // the loader cannot run (e.g. the cache file cannot be opened)
    kStuck,  // every ring slot is held by an unreleased batch
  };
  Kind kind = Kind::kEnd;
  int slot = -1;
  size_t count = 0;
  uint64_t sequence = 0;  // batch number within the epoch
  std::vector<int32_t> labels;
  std::vector<int32_t> indices;
  uint32_t source = 0;
  ErrorCode code = ErrorCode::kOk;
  std::string message;
};

// Called from a worker thread (or from the thread that released a slot) when
// a pending request can be answered.
using DeliverFn = std::function<void(NextResult)>;

struct SkipRecord {
  uint32_t source = 0;
  ErrorCode code = ErrorCode::kOk;
  std::string message;
};

struct LoaderStats {
  uint64_t images = 0;   // delivered in batches, all epochs
  uint64_t decoded = 0;  // images read + decoded + resized (cache misses)
  // Summed over worker threads, except wait: time a next() request waited.
  // gpu: the CUDA path's per-batch copies + kernel, as waited for by a worker.
  double read_ms = 0, decode_ms = 0, resize_ms = 0, augment_ms = 0, gpu_ms = 0, wait_ms = 0;
  double images_per_sec = 0;  // current (or last) epoch: delivered / elapsed
  uint64_t cached_images = 0;
  uint64_t cache_bytes = 0;  // storage + per-image bookkeeping
  bool cache_reused = false;
  std::vector<SkipRecord> skipped;
  size_t slots = 0;
  size_t slots_free = 0;
  size_t slots_held = 0;  // handed to JS and not released
  size_t threads = 0;
};

struct LengthInfo {
  bool known = false;  // every source's outcome is known
  size_t batches = 0;  // exact when known, else an upper bound
  size_t good = 0;
  size_t failed = 0;
};

class LoaderEngine {
 public:
  // Allocates the ring and starts the threads; the cache is opened by the
  // first worker (a failure there is reported by every RequestNext).
  // Throws std::bad_alloc / std::system_error if nothing can run at all.
  explicit LoaderEngine(LoaderConfig config);
  ~LoaderEngine();
  LoaderEngine(const LoaderEngine&) = delete;
  LoaderEngine& operator=(const LoaderEngine&) = delete;

  // Starts (or restarts) an epoch, abandoning any epoch in progress. Returns
  // the generation that RequestNext must pass.
  uint64_t StartEpoch(uint64_t epoch);
  // The next batch of `generation`: returned at once when it can be
  // answered now, else `deliver` is called later (exactly once, unless the
  // request is cancelled by Close or CancelRequest). One request at a time.
  std::optional<NextResult> RequestNext(uint64_t generation, DeliverFn deliver);
  void CancelRequest();
  // Hands a delivered slot back. False if it was not held.
  bool Release(int slot);
  // Stops producing: no task starts after this, slots are never written
  // again, a pending request is answered kClosed. Does not wait. Idempotent.
  void Stop();
  // Stop(), then joins the threads and closes the cache. Idempotent; the ring
  // stays valid (it is shared with JS).
  void Close();

  LoaderStats Stats();
  LengthInfo Length();
  std::shared_ptr<SlotRing> ring() const { return ring_; }
  // Where augment + normalize run, and why (fixed at construction).
  const DeviceChoice& device() const { return device_; }
  // CUDA path: the batch in `slot` as it is in device memory, for a consumer
  // that stays on the GPU. Meaningful while the slot is held (delivered and
  // not yet released); data == nullptr on the CPU path.
  DeviceBatch device_batch(int slot) const;
  size_t image_samples() const { return static_cast<size_t>(config_.width) * config_.height * 3; }

 private:
  enum SourceState : uint8_t { kUnknown = 0, kDecoding = 1, kGood = 2, kFailed = 3 };

  struct Task {
    enum class Kind { kInit, kDecode, kAugment, kGpu } kind = Kind::kInit;
    uint64_t generation = 0;
    uint64_t epoch = 0;
    size_t position = 0;
    uint32_t source = 0;
    uint8_t* pixels = nullptr;  // decode: destination; augment: input
    int staging = -1;           // cache none: the staging entry in use
    int slot = -1;              // augment, gpu
    size_t place = 0;           // augment: image index within the slot; gpu: images in the slot
  };

  struct TaskOutcome {
    Status status;
  };

  struct Slot {
    enum class State { kFree, kFilling, kHeld } state = State::kFree;
    size_t count = 0;
    size_t done = 0;
    int inflight = 0;
    bool sealed = false;
    bool abandoned = false;
    bool gpu_queued = false;  // CUDA path: the batch's GPU task was queued
    bool gpu_done = false;
    uint64_t sequence = 0;
    std::vector<int32_t> labels;
    std::vector<int32_t> indices;
  };

  struct SeqEntry {
    enum class Kind { kBatch, kError, kEnd } kind = Kind::kBatch;
    int slot = -1;
    uint32_t source = 0;
    ErrorCode code = ErrorCode::kOk;
    std::string message;
  };

  struct Delivery {
    DeliverFn fn;
    NextResult result;
  };

  struct Failure {
    ErrorCode code;
    std::string message;
  };

  // What a worker thread reuses from task to task.
  struct Scratch : DecodeScratch {
    WarpScratch warp;
  };

  using Clock = std::chrono::steady_clock;
  static uint64_t NsSince(Clock::time_point t0, Clock::time_point t1) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  }
  static double Ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }

  // loader.cc: the worker loop; Run is the one step taken without the mutex.
  void WorkerMain();
  TaskOutcome Run(const Task& task, Scratch& scratch);
  static void Flush(std::vector<Delivery>& out);

  // loader_schedule.cc, all under mu_.
  bool NextTask(Task& task);
  bool ClaimDecode(Task& task);
  void Finish(const Task& task, TaskOutcome& outcome, std::vector<Delivery>& out);
  void Advance(std::vector<Delivery>& out);
  void QueueGpuTasks();
  int AcquireSlot();
  void AbandonSlot(int slot);
  void AbortEpoch(std::vector<Delivery>& out, NextResult::Kind pending_kind);
  void TryDeliver(std::vector<Delivery>& out);
  bool TakeDeliverable(NextResult& result);
  void FreeStaging(int entry);
  uint8_t* StagingPixels(int entry) { return staging_.data() + static_cast<size_t>(entry) * cache_image_bytes_; }

  // loader_pipeline.cc
  void RunInit();
  TaskOutcome RunDecode(const Task& task, Scratch& scratch);

  // loader_staging.cc
  void AllocateOutput(size_t ring_count, size_t batch);
  WarpParams Warp(const AugmentDraw& draw) const;
  TaskOutcome RunAugment(const Task& task, Scratch& scratch);
  TaskOutcome RunGpu(const Task& task);

  const LoaderConfig config_;
  const size_t n_;
  const size_t cache_image_bytes_;  // width * height * 3 (uint8)
  const size_t out_image_bytes_;    // in the slot, of config_.type
  size_t window_ = 0;
  DeviceChoice device_;
  std::shared_ptr<SlotRing> ring_;
  std::unique_ptr<CudaStage> stage_;  // CUDA path only
  std::vector<std::thread> threads_;

  std::mutex mu_;
  std::condition_variable work_cv_;
  bool closed_ = false;
  bool init_started_ = false;
  bool init_done_ = false;
  std::string fatal_;

  // Per source, across epochs.
  std::vector<uint8_t> state_;
  std::unordered_map<uint32_t, Failure> failures_;
  std::vector<uint32_t> skipped_;  // in the order first skipped
  std::unordered_map<uint32_t, bool> skip_listed_;
  std::unique_ptr<ImageCache> cache_;
  bool cache_reused_ = false;
  std::vector<uint8_t> staging_;  // cache none: decoded images awaiting their batch
  std::vector<int> staging_free_;

  // The current epoch.
  uint64_t generation_ = 0;
  uint64_t epoch_ = 0;
  bool epoch_active_ = false;
  bool epoch_ended_ = false;
  std::vector<uint32_t> order_;
  std::vector<int> position_staging_;  // cache none
  std::vector<uint8_t> position_done_;  // cache none
  size_t cursor_ = 0;       // next position to place in a batch
  size_t decode_next_ = 0;  // next position to consider for decoding
  int current_slot_ = -1;
  uint64_t next_sequence_ = 0;
  std::deque<SeqEntry> sequence_;
  std::deque<Task> queue_;  // augment tasks
  std::vector<Slot> slots_;

  // The one outstanding request.
  DeliverFn pending_;
  uint64_t pending_generation_ = 0;
  std::chrono::steady_clock::time_point pending_since_;

  // Counters.
  uint64_t images_delivered_ = 0;
  uint64_t epoch_images_ = 0;
  uint64_t decoded_ = 0;
  uint64_t wait_ns_ = 0;
  std::chrono::steady_clock::time_point epoch_start_;
  std::chrono::steady_clock::time_point last_delivery_;
  std::atomic<uint64_t> read_ns_{0}, decode_ns_{0}, resize_ns_{0}, augment_ns_{0}, gpu_ns_{0};

  std::once_flag join_once_;
};

}  // namespace xfer
