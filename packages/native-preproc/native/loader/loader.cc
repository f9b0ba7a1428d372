#include "loader.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <new>
#include <system_error>
#include <utility>

#include "../ops/decode.h"
#include "../ops/resize_bilinear.h"
#include "../ops/warp.h"
#include "../cuda/cuda_stage.h"
#include "../cuda/fused_batch.h"
#include "../cuda/pinned_allocator.h"
#include "decode_scratch.h"
#include "guarded.h"
#include "hash.h"
#include "read_source.h"

namespace xfer {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t NsSince(Clock::time_point t0, Clock::time_point t1) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
}

// Size and modification time of a file, folded into the disk cache key so
// that a replaced file invalidates the cache.
void FingerprintFile(Fingerprint& f, const std::string& path,
                     std::unordered_map<std::string, std::pair<uint64_t, uint64_t>>& seen) {
  auto it = seen.find(path);
  if (it == seen.end()) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(path, ec);
    uint64_t mtime = ~uint64_t{0};
    uint64_t bytes = ~uint64_t{0};
    if (!ec) {
      bytes = static_cast<uint64_t>(size);
      const auto t = std::filesystem::last_write_time(path, ec);
      if (!ec) mtime = static_cast<uint64_t>(t.time_since_epoch().count());
    }
    it = seen.emplace(path, std::make_pair(bytes, mtime)).first;
  }
  f.U64(it->second.first);
  f.U64(it->second.second);
}

}  // namespace

struct LoaderEngine::Scratch : DecodeScratch {
  WarpScratch warp;
};

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
  if (device_.cuda) {
    ring_ = std::make_shared<SlotRing>(MakePinnedSlotAllocator(), ring_count, batch * out_image_bytes_);
    WarpParams warp;
    warp.fill = config_.augment.fill;
    warp.fill_value = config_.augment.fill_value;
    warp.interpolation = config_.augment.interpolation;
    warp.scale = config_.scale;
    warp.offset = config_.offset;
    // One stage per ring slot: a slot's images are staged while earlier
    // slots are on the GPU.
    stage_ = std::make_unique<CudaStage>(ring_count, batch * cache_image_bytes_, batch,
                                         MakeFusedParams(config_.width, config_.height, warp, config_.type));
  } else {
    ring_ = std::make_shared<SlotRing>(MakeHostSlotAllocator(), ring_count, batch * out_image_bytes_);
  }
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

// ------------------------------------------------------------- scheduling

void LoaderEngine::AbortEpoch(std::vector<Delivery>& out, NextResult::Kind pending_kind) {
  if (epoch_active_) {
    // Queued augments never run; running ones finish and find their slot
    // abandoned.
    for (const Task& t : queue_) {
      --slots_[t.slot].inflight;
      if (t.staging >= 0) FreeStaging(t.staging);
    }
    queue_.clear();
    for (const SeqEntry& e : sequence_) {
      if (e.kind == SeqEntry::Kind::kBatch) AbandonSlot(e.slot);
    }
    sequence_.clear();
    current_slot_ = -1;
    if (config_.cache == CacheKind::kNone) {
      // Decoded and not yet placed. Decodes still running free their entry
      // when they finish (their generation is stale by then).
      for (size_t p = cursor_; p < decode_next_ && p < n_; ++p) {
        if (position_staging_[p] >= 0 && position_done_[p]) {
          FreeStaging(position_staging_[p]);
          position_staging_[p] = -1;
        }
      }
    }
    epoch_active_ = false;
    epoch_ended_ = false;
  }
  if (pending_) {
    NextResult r;
    r.kind = pending_kind;
    out.push_back(Delivery{std::move(pending_), std::move(r)});
    pending_ = nullptr;
  }
}

int LoaderEngine::AcquireSlot() {
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (s.state != Slot::State::kFree) continue;
    s.state = Slot::State::kFilling;
    s.count = 0;
    s.done = 0;
    s.inflight = 0;
    s.sealed = false;
    s.abandoned = false;
    s.gpu_queued = false;
    s.gpu_done = false;
    s.sequence = next_sequence_++;
    SeqEntry e;
    e.kind = SeqEntry::Kind::kBatch;
    e.slot = static_cast<int>(i);
    sequence_.push_back(std::move(e));
    return static_cast<int>(i);
  }
  return -1;
}

void LoaderEngine::AbandonSlot(int slot) {
  Slot& s = slots_[slot];
  if (s.state != Slot::State::kFilling) return;
  if (s.inflight == 0) {
    s.state = Slot::State::kFree;
    s.abandoned = false;
  } else {
    s.abandoned = true;  // freed by the last augment that writes it
  }
}

void LoaderEngine::FreeStaging(int entry) {
  if (entry >= 0) staging_free_.push_back(entry);
}

void LoaderEngine::Advance(std::vector<Delivery>& out) {
  if (closed_) return;
  if (init_done_ && fatal_.empty() && epoch_active_ && !epoch_ended_) {
    const bool none = config_.cache == CacheKind::kNone;
    const size_t batch = std::max<size_t>(config_.batch_size, 1);
    while (cursor_ < n_) {
      const size_t p = cursor_;
      const uint32_t src = order_[p];
      const uint8_t st = state_[src];
      if (st == kFailed) {
        if (config_.throw_on_error) {
          if (current_slot_ >= 0) {
            sequence_.pop_back();  // the batch being filled is always last
            AbandonSlot(current_slot_);
            current_slot_ = -1;
          }
          SeqEntry e;
          e.kind = SeqEntry::Kind::kError;
          e.source = src;
          const auto f = failures_.find(src);
          if (f != failures_.end()) {
            e.code = f->second.code;
            e.message = f->second.message;
          } else {
            e.code = ErrorCode::kCorrupt;
          }
          sequence_.push_back(std::move(e));
          SeqEntry end;
          end.kind = SeqEntry::Kind::kEnd;
          sequence_.push_back(std::move(end));
          epoch_ended_ = true;
          break;
        }
        if (skip_listed_.emplace(src, true).second) skipped_.push_back(src);
        ++cursor_;
        continue;
      }
      const bool ready = none ? position_done_[p] != 0 : st == kGood;
      if (!ready) break;  // still decoding (or not yet claimed)
      if (current_slot_ < 0) {
        current_slot_ = AcquireSlot();
        if (current_slot_ < 0) break;  // every slot is busy or held: backpressure
      }
      Slot& s = slots_[current_slot_];
      Task t;
      t.kind = Task::Kind::kAugment;
      t.generation = generation_;
      t.epoch = epoch_;
      t.position = p;
      t.source = src;
      if (none) {
        t.staging = position_staging_[p];
        t.pixels = StagingPixels(t.staging);
        position_staging_[p] = -1;  // the augment task owns it now
      } else {
        t.pixels = cache_->Pixels(src);
      }
      t.slot = current_slot_;
      t.place = s.count;
      s.labels[s.count] = config_.labels[src];
      s.indices[s.count] = static_cast<int32_t>(src);
      ++s.count;
      ++s.inflight;
      queue_.push_back(t);
      ++cursor_;
      if (s.count == batch) {
        s.sealed = true;
        current_slot_ = -1;
      }
    }
    if (cursor_ == n_ && !epoch_ended_) {
      if (current_slot_ >= 0) {
        if (config_.drop_remainder) {
          sequence_.pop_back();
          AbandonSlot(current_slot_);
        } else {
          slots_[current_slot_].sealed = true;
        }
        current_slot_ = -1;
      }
      SeqEntry end;
      end.kind = SeqEntry::Kind::kEnd;
      sequence_.push_back(std::move(end));
      epoch_ended_ = true;
    }
  }
  if (stage_ && init_done_ && fatal_.empty() && epoch_active_) QueueGpuTasks();
  TryDeliver(out);
}

void LoaderEngine::QueueGpuTasks() {
  for (const SeqEntry& e : sequence_) {
    if (e.kind != SeqEntry::Kind::kBatch) continue;
    Slot& s = slots_[e.slot];
    if (!s.sealed || s.done != s.count || s.gpu_queued) continue;
    s.gpu_queued = true;
    ++s.inflight;
    Task t;
    t.kind = Task::Kind::kGpu;
    t.generation = generation_;
    t.epoch = epoch_;
    t.slot = e.slot;
    t.place = s.count;
    queue_.push_front(t);  // ahead of augments: it completes a batch
  }
}

bool LoaderEngine::TakeDeliverable(NextResult& r) {
  if (closed_) {
    r.kind = NextResult::Kind::kClosed;
    return true;
  }
  if (!fatal_.empty()) {
    r.kind = NextResult::Kind::kFatal;
    r.message = fatal_;
    return true;
  }
  if (pending_generation_ != generation_ || !epoch_active_) {
    r.kind = NextResult::Kind::kSuperseded;
    return true;
  }
  if (!init_done_) return false;
  if (sequence_.empty()) {
    const bool all_held = std::all_of(slots_.begin(), slots_.end(),
                                      [](const Slot& s) { return s.state == Slot::State::kHeld; });
    if (all_held && !epoch_ended_) {
      r.kind = NextResult::Kind::kStuck;
      r.message = "all " + std::to_string(slots_.size()) +
                  " ring slots are held by batches that were not released: call batch.release() when done "
                  "with a batch (or raise prefetch)";
      return true;
    }
    return false;
  }
  SeqEntry& e = sequence_.front();
  switch (e.kind) {
    case SeqEntry::Kind::kBatch: {
      Slot& s = slots_[e.slot];
      if (!s.sealed || s.done != s.count) return false;
      if (stage_ && !s.gpu_done) return false;
      s.state = Slot::State::kHeld;
      r.kind = NextResult::Kind::kBatch;
      r.slot = e.slot;
      r.count = s.count;
      r.sequence = s.sequence;
      r.labels.assign(s.labels.begin(), s.labels.begin() + static_cast<ptrdiff_t>(s.count));
      r.indices.assign(s.indices.begin(), s.indices.begin() + static_cast<ptrdiff_t>(s.count));
      images_delivered_ += s.count;
      epoch_images_ += s.count;
      last_delivery_ = Clock::now();
      sequence_.pop_front();
      return true;
    }
    case SeqEntry::Kind::kError:
      r.kind = NextResult::Kind::kError;
      r.source = e.source;
      r.code = e.code;
      r.message = std::move(e.message);
      sequence_.pop_front();
      return true;
    case SeqEntry::Kind::kEnd:
      r.kind = NextResult::Kind::kEnd;
      return true;  // stays: every later request also gets the end
  }
  return false;
}

void LoaderEngine::TryDeliver(std::vector<Delivery>& out) {
  if (!pending_) return;
  NextResult r;
  if (!TakeDeliverable(r)) return;
  wait_ns_ += NsSince(pending_since_, Clock::now());
  out.push_back(Delivery{std::move(pending_), std::move(r)});
  pending_ = nullptr;
}

// ----------------------------------------------------------------- workers

bool LoaderEngine::NextTask(Task& task) {
  if (!init_started_) {
    init_started_ = true;
    task = Task{};
    task.kind = Task::Kind::kInit;
    return true;
  }
  if (!init_done_ || !fatal_.empty()) return false;
  if (!queue_.empty()) {
    task = queue_.front();
    queue_.pop_front();
    return true;
  }
  return ClaimDecode(task);
}

bool LoaderEngine::ClaimDecode(Task& task) {
  if (!epoch_active_ || epoch_ended_) return false;
  // Every position before the cursor is resolved (placed or skipped).
  decode_next_ = std::max(decode_next_, cursor_);
  const size_t limit = std::min(n_, cursor_ + window_);
  const bool none = config_.cache == CacheKind::kNone;
  while (decode_next_ < limit) {
    const size_t p = decode_next_;
    const uint32_t src = order_[p];
    const uint8_t st = state_[src];
    task = Task{};
    task.kind = Task::Kind::kDecode;
    task.generation = generation_;
    task.epoch = epoch_;
    task.position = p;
    task.source = src;
    if (!none) {
      ++decode_next_;
      // Cached, known to fail, or being decoded by a task of an earlier epoch.
      if (st != kUnknown) continue;
      state_[src] = kDecoding;
      task.pixels = cache_->Pixels(src);
      return true;
    }
    if (st == kFailed) {
      ++decode_next_;
      continue;
    }
    if (staging_free_.empty()) return false;
    task.staging = staging_free_.back();
    staging_free_.pop_back();
    task.pixels = StagingPixels(task.staging);
    position_staging_[p] = task.staging;
    ++decode_next_;
    return true;
  }
  return false;
}

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

void LoaderEngine::RunInit() {
  std::unique_ptr<ImageCache> cache;
  std::vector<CachedOutcome> outcomes;
  std::vector<uint8_t> staging;
  std::vector<int> staging_free;
  bool reused = false;
  std::string error;
  try {
    switch (config_.cache) {
      case CacheKind::kMemory:
        cache = CreateMemoryCache(n_, cache_image_bytes_);
        break;
      case CacheKind::kNone: {
        // Enough staging for every position decodes may run ahead, plus the
        // images of every slot that can be filling at once.
        const size_t entries = window_ + slots_.size() * std::max<size_t>(config_.batch_size, 1);
        staging.resize(entries * cache_image_bytes_);
        for (size_t i = entries; i-- > 0;) staging_free.push_back(static_cast<int>(i));
        break;
      }
      case CacheKind::kDisk: {
        Fingerprint f;
        f.Str("xfer loader cache: sources, size, mode, maxPixels");
        std::unordered_map<std::string, std::pair<uint64_t, uint64_t>> seen;
        for (const Source& s : config_.sources) {
          f.U64(static_cast<uint64_t>(s.kind));
          switch (s.kind) {
            case SourceKind::kBytes: f.Bytes(s.data, s.size); break;
            case SourceKind::kPath:
              f.Str(s.path);
              FingerprintFile(f, s.path, seen);
              break;
            case SourceKind::kRange:
              f.Str(s.path);
              f.U64(s.offset);
              f.U64(s.length);
              f.U64(s.deflated ? 1 : 0);
              f.U64(s.size);
              FingerprintFile(f, s.path, seen);
              break;
          }
        }
        DiskCacheKey key;
        key.fingerprint_high = f.high();
        key.fingerprint_low = f.low();
        key.count = n_;
        key.width = static_cast<uint32_t>(config_.width);
        key.height = static_cast<uint32_t>(config_.height);
        key.exact = config_.exact;
        key.max_pixels = config_.max_pixels;
        DiskCacheOpen opened = OpenDiskCache(config_.cache_path, key, cache_image_bytes_);
        if (!opened.cache) {
          error = opened.error;
        } else {
          cache = std::move(opened.cache);
          outcomes = std::move(opened.outcomes);
          reused = opened.reused;
        }
        break;
      }
    }
  } catch (const std::bad_alloc&) {
    error = "out of memory allocating the image cache (" + std::to_string(n_) + " images of " +
            std::to_string(cache_image_bytes_) + " bytes)";
  } catch (const std::exception& e) {
    error = std::string("cannot set up the image cache: ") + e.what();
  }

  std::lock_guard<std::mutex> lock(mu_);
  if (!error.empty()) {
    fatal_ = error;
  } else {
    cache_ = std::move(cache);
    cache_reused_ = reused;
    staging_ = std::move(staging);
    staging_free_ = std::move(staging_free);
    for (size_t i = 0; i < outcomes.size() && i < n_; ++i) {
      if (outcomes[i].state == CachedOutcome::State::kOk) {
        state_[i] = kGood;
      } else if (outcomes[i].state == CachedOutcome::State::kFailed) {
        state_[i] = kFailed;
        failures_[static_cast<uint32_t>(i)] = Failure{outcomes[i].code, outcomes[i].message};
      }
    }
  }
  init_done_ = true;
}

LoaderEngine::TaskOutcome LoaderEngine::Run(const Task& task, Scratch& scratch) {
  TaskOutcome outcome;
  switch (task.kind) {
    case Task::Kind::kInit:
      RunInit();
      break;
    case Task::Kind::kDecode: {
      DecodeOptions options;
      options.max_pixels = config_.max_pixels;
      if (!config_.exact) {
        options.target_width = config_.width;
        options.target_height = config_.height;
      }
      outcome.status = Guarded([&] {
        const Clock::time_point t0 = Clock::now();
        const uint8_t* data = nullptr;
        size_t size = 0;
        Status s = ReadSource(config_.sources[task.source], scratch.read, data, size);
        const Clock::time_point t1 = Clock::now();
        read_ns_ += NsSince(t0, t1);
        if (!s.ok()) return s;
        s = DecodeImage(data, size, options, scratch.image);
        const Clock::time_point t2 = Clock::now();
        decode_ns_ += NsSince(t1, t2);
        if (!s.ok()) return s;
        ResizeBilinearRgb(scratch.image.pixels.data(), scratch.image.width, scratch.image.height, task.pixels,
                          config_.width, config_.height, OutputType::kUint8, scratch.resize);
        resize_ns_ += NsSince(t2, Clock::now());
        return s;
      });
      scratch.TrimIfHuge();
      break;
    }
    case Task::Kind::kAugment: {
      const Clock::time_point t0 = Clock::now();
      const AugmentDraw draw = DrawAugment(config_.augment, config_.seed, task.epoch, task.source);
      WarpParams params;
      params.flip_horizontal = draw.flip_horizontal;
      params.flip_vertical = draw.flip_vertical;
      params.angle = draw.angle;
      params.fill = config_.augment.fill;
      params.fill_value = config_.augment.fill_value;
      params.interpolation = config_.augment.interpolation;
      params.scale = config_.scale;
      params.offset = config_.offset;
      const size_t slot = static_cast<size_t>(task.slot);
      outcome.status = Guarded([&] {
        if (stage_) {
          // Staged for the GPU task; the kernel does the flip/rotate/normalize.
          const size_t offset = task.place * cache_image_bytes_;
          std::memcpy(stage_->input(slot) + offset, task.pixels, cache_image_bytes_);
          stage_->images(slot)[task.place] =
              DescribeFusedImage(offset, config_.width, config_.height, params.flip_horizontal,
                                 params.flip_vertical, params.angle, config_.width, config_.height);
        } else {
          uint8_t* dst = ring_->data(slot) + task.place * out_image_bytes_;
          AugmentRgb(task.pixels, config_.width, config_.height, params, dst, config_.type, scratch.warp);
        }
        return Status::Ok();
      });
      augment_ns_ += NsSince(t0, Clock::now());
      break;
    }
    case Task::Kind::kGpu: {
      const Clock::time_point t0 = Clock::now();
      const size_t slot = static_cast<size_t>(task.slot);
      outcome.status = Guarded([&] {
        stage_->Run(slot, task.place, task.place * cache_image_bytes_, ring_->data(slot), nullptr);
        return Status::Ok();
      });
      gpu_ns_ += NsSince(t0, Clock::now());
      break;
    }
  }
  return outcome;
}

void LoaderEngine::Finish(const Task& task, TaskOutcome& outcome, std::vector<Delivery>& out) {
  switch (task.kind) {
    case Task::Kind::kInit:
      break;
    case Task::Kind::kDecode: {
      ++decoded_;
      const bool ok = outcome.status.ok();
      if (ok) {
        state_[task.source] = kGood;
        if (cache_ && config_.cache != CacheKind::kNone) cache_->MarkOk(task.source);
      } else {
        state_[task.source] = kFailed;
        // A read error may be transient (EMFILE, a network share): remembered
        // for this loader, but not written into a disk cache for later runs.
        if (cache_ && outcome.status.code != ErrorCode::kIo) {
          cache_->MarkFailed(task.source, outcome.status.code, outcome.status.message);
        }
        failures_[task.source] = Failure{outcome.status.code, std::move(outcome.status.message)};
      }
      if (config_.cache == CacheKind::kNone) {
        if (task.generation == generation_ && epoch_active_) {
          if (ok) {
            position_done_[task.position] = 1;
          } else {
            FreeStaging(task.staging);
            position_staging_[task.position] = -1;
          }
        } else {
          FreeStaging(task.staging);
        }
      }
      break;
    }
    case Task::Kind::kAugment: {
      Slot& s = slots_[task.slot];
      --s.inflight;
      FreeStaging(task.staging);
      if (s.abandoned) {
        if (s.inflight == 0) {
          s.state = Slot::State::kFree;
          s.abandoned = false;
        }
      } else if (task.generation == generation_) {
        ++s.done;
      }
      break;
    }
    case Task::Kind::kGpu: {
      Slot& s = slots_[task.slot];
      --s.inflight;
      // A device failure is not one image's: the loader cannot go on.
      if (!outcome.status.ok() && fatal_.empty()) fatal_ = "the CUDA path failed: " + outcome.status.message;
      if (s.abandoned) {
        if (s.inflight == 0) {
          s.state = Slot::State::kFree;
          s.abandoned = false;
        }
      } else if (task.generation == generation_) {
        s.gpu_done = true;
      }
      break;
    }
  }
  Advance(out);
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

DeviceBatch LoaderEngine::device_batch(int slot) const {
  if (!stage_ || slot < 0 || static_cast<size_t>(slot) >= stage_->slots()) return DeviceBatch{};
  return stage_->device_batch(static_cast<size_t>(slot));
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
