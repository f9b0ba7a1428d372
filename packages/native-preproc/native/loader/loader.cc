// The engine's lifetime, the requests JS makes (loader_wrap.cc), the worker
// loop and the counters. See loader.h for how the work is split.
#include "loader.h"

#include <algorithm>
#include <utility>

#include "../cuda/cuda_stage.h"

namespace xfer {

LoaderEngine::LoaderEngine(LoaderConfig config)
    : config_(std::move(config)),
      n_(config_.sources.size()),
      cache_image_bytes_(static_cast<size_t>(config_.width) * static_cast<size_t>(config_.height) * 3),
      out_image_bytes_(cache_image_bytes_ * BytesPerSample(config_.type)) {
  const size_t batch = std::max<size_t>(config_.batch_size, 1);
  const size_t ring_count = config_.prefetch + 1;
  const size_t threads = std::max<size_t>(config_.threads, 1);
  device_ = ChooseDevice(config_.device, CachedCudaInfo(), batch, config_.width, config_.height);
  if (device_.error) throw DeviceUnavailableError(device_.reason);
  AllocateOutput(ring_count, batch);
  slots_.resize(ring_count);
  for (Slot& s : slots_) {
    s.labels.assign(batch, 0);
    s.indices.assign(batch, 0);
  }
  // Decodes may run this many positions ahead of the batch being filled:
  // enough to keep every thread busy and the ring full, and no more.
  window_ = std::max(ring_count * batch, 2 * threads);
  state_.assign(n_, kUnknown);
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) {
    try {
      threads_.emplace_back([this] { WorkerMain(); });
    } catch (...) {
      // Could not start every thread (e.g. RLIMIT_NPROC): run with fewer.
      // Results do not depend on the thread count.
      if (threads_.empty()) throw;
      break;
    }
  }
}

LoaderEngine::~LoaderEngine() { Close(); }

void LoaderEngine::Stop() {
  std::vector<Delivery> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_) {
      AbortEpoch(out, NextResult::Kind::kClosed);
      closed_ = true;
    }
  }
  work_cv_.notify_all();
  Flush(out);
}

void LoaderEngine::Close() {
  Stop();
  std::call_once(join_once_, [this] {
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
    std::lock_guard<std::mutex> lock(mu_);
    cache_.reset();  // unmaps; for a disk cache also unlocks and closes the file
    std::vector<uint8_t>().swap(staging_);
    staging_free_.clear();
  });
}

// ---------------------------------------------------------------- requests

uint64_t LoaderEngine::StartEpoch(uint64_t epoch) {
  std::vector<Delivery> out;
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return generation_;
    AbortEpoch(out, NextResult::Kind::kSuperseded);
    ++generation_;
    epoch_ = epoch;
    order_ = EpochOrder(n_, config_.shuffle, config_.seed, epoch);
    cursor_ = 0;
    decode_next_ = 0;
    current_slot_ = -1;
    next_sequence_ = 0;
    sequence_.clear();
    if (config_.cache == CacheKind::kNone) {
      position_staging_.assign(n_, -1);
      position_done_.assign(n_, 0);
    }
    epoch_active_ = true;
    epoch_ended_ = false;
    epoch_images_ = 0;
    epoch_start_ = last_delivery_ = Clock::now();
    Advance(out);
    generation = generation_;
  }
  work_cv_.notify_all();
  Flush(out);
  return generation;
}

std::optional<NextResult> LoaderEngine::RequestNext(uint64_t generation, DeliverFn deliver) {
  std::lock_guard<std::mutex> lock(mu_);
  NextResult result;
  if (pending_) {
    result.kind = NextResult::Kind::kFatal;
    result.message = "next() was called while another next() of this loader was pending";
    return result;
  }
  pending_generation_ = generation;
  if (TakeDeliverable(result)) return result;
  pending_ = std::move(deliver);
  pending_since_ = Clock::now();
  return std::nullopt;
}

void LoaderEngine::CancelRequest() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_ = nullptr;
}

bool LoaderEngine::Release(int slot) {
  std::vector<Delivery> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (slot < 0 || static_cast<size_t>(slot) >= slots_.size()) return false;
    Slot& s = slots_[slot];
    if (s.state != Slot::State::kHeld) return false;
    s.state = Slot::State::kFree;
    Advance(out);
  }
  work_cv_.notify_all();
  Flush(out);
  return true;
}

void LoaderEngine::Flush(std::vector<Delivery>& out) {
  for (Delivery& d : out) {
    try {
      if (d.fn) d.fn(std::move(d.result));
    } catch (...) {
      // The callback only queues a JS call; nothing it throws may escape.
    }
  }
  out.clear();
}

// ------------------------------------------------------------------ workers

void LoaderEngine::WorkerMain() {
  Scratch scratch;
  std::vector<Delivery> out;
  std::unique_lock<std::mutex> lock(mu_);
  while (!closed_) {
    Task task;
    if (!NextTask(task)) {
      work_cv_.wait(lock);
      continue;
    }
    lock.unlock();
    TaskOutcome outcome = Run(task, scratch);
    lock.lock();
    Finish(task, outcome, out);
    if (!out.empty()) {
      lock.unlock();
      Flush(out);
      lock.lock();
    }
    work_cv_.notify_all();
  }
}

LoaderEngine::TaskOutcome LoaderEngine::Run(const Task& task, Scratch& scratch) {
  switch (task.kind) {
    case Task::Kind::kInit:
      RunInit();
      return TaskOutcome{};
    case Task::Kind::kDecode: return RunDecode(task, scratch);
    case Task::Kind::kAugment: return RunAugment(task, scratch);
    case Task::Kind::kGpu: return RunGpu(task);
  }
  return TaskOutcome{};
}

// ------------------------------------------------------------------- stats

LoaderStats LoaderEngine::Stats() {
  std::lock_guard<std::mutex> lock(mu_);
  LoaderStats s;
  s.images = images_delivered_;
  s.decoded = decoded_;
  s.read_ms = Ms(read_ns_.load());
  s.decode_ms = Ms(decode_ns_.load());
  s.resize_ms = Ms(resize_ns_.load());
  s.augment_ms = Ms(augment_ns_.load());
  s.gpu_ms = Ms(gpu_ns_.load());
  s.wait_ms = Ms(wait_ns_);
  const double seconds = static_cast<double>(NsSince(epoch_start_, last_delivery_)) / 1e9;
  s.images_per_sec = seconds > 0 ? static_cast<double>(epoch_images_) / seconds : 0.0;
  if (config_.cache != CacheKind::kNone) {
    s.cached_images = static_cast<uint64_t>(std::count(state_.begin(), state_.end(), kGood));
    // Storage plus the one state byte per image (the failure map is per
    // failed image only and negligible).
    s.cache_bytes = (cache_ ? cache_->bytes() : 0) + state_.size();
  }
  s.cache_reused = cache_reused_;
  for (uint32_t src : skipped_) {
    SkipRecord r;
    r.source = src;
    const auto f = failures_.find(src);
    if (f != failures_.end()) {
      r.code = f->second.code;
      r.message = f->second.message;
    }
    s.skipped.push_back(std::move(r));
  }
  s.slots = slots_.size();
  for (const Slot& slot : slots_) {
    if (slot.state == Slot::State::kFree) ++s.slots_free;
    if (slot.state == Slot::State::kHeld) ++s.slots_held;
  }
  s.threads = threads_.size();
  return s;
}

LengthInfo LoaderEngine::Length() {
  std::lock_guard<std::mutex> lock(mu_);
  LengthInfo info;
  size_t unknown = 0;
  for (uint8_t st : state_) {
    if (st == kGood) {
      ++info.good;
    } else if (st == kFailed) {
      ++info.failed;
    } else {
      ++unknown;
    }
  }
  info.known = unknown == 0;
  const size_t usable = info.good + unknown;  // before they are seen, assume they decode
  const size_t batch = std::max<size_t>(config_.batch_size, 1);
  info.batches = config_.drop_remainder ? usable / batch : (usable + batch - 1) / batch;
  return info;
}

}  // namespace xfer
