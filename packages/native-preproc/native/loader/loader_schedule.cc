// The scheduling of the engine (see loader.h): the epoch's order, the batch
// being assembled, which task a worker takes next, and what a finished task
// changes. Everything here runs with mu_ held and only moves bookkeeping;
// the pixel work is done by Run, unlocked.
#include <algorithm>
#include <string>
#include <utility>

#include "loader.h"

namespace xfer {

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

}  // namespace xfer
