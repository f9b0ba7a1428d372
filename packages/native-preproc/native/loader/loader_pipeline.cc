// The decode pipeline of the engine (see loader.h): the image cache is set
// up by the first task any worker runs, then each decode task reads its
// source, decodes it (DCT-scaled unless exact) and resizes it into its place
// in the cache (or, with cache 'none', a staging entry).
#include <algorithm>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "../ops/decode.h"
#include "../ops/resize_bilinear.h"
#include "byte_size.h"
#include "cache_fingerprint.h"
#include "guarded.h"
#include "loader.h"
#include "read_source.h"

namespace xfer {

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
        // Staging entries are int indices.
        if (entries > static_cast<size_t>(std::numeric_limits<int>::max())) {
          throw std::length_error("too many staging entries");
        }
        staging.resize(ByteProduct(entries, cache_image_bytes_));
        for (size_t i = entries; i-- > 0;) staging_free.push_back(static_cast<int>(i));
        break;
      }
      case CacheKind::kDisk: {
        DiskCacheOpen opened = OpenDiskCache(config_.cache_path, MakeDiskCacheKey(config_), cache_image_bytes_);
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

LoaderEngine::TaskOutcome LoaderEngine::RunDecode(const Task& task, Scratch& scratch) {
  DecodeOptions options;
  options.max_pixels = config_.max_pixels;
  if (!config_.exact) {
    options.target_width = config_.width;
    options.target_height = config_.height;
  }
  TaskOutcome outcome;
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
  return outcome;
}

}  // namespace xfer
