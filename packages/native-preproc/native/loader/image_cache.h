// Where the loader keeps resized uint8 images between epochs.
//
// - memory: one anonymous mapping of exactly count * image_bytes, committed
//   page by page as images land (so RSS grows with what is cached).
// - disk: a memory-mapped file that survives restarts and can exceed RAM
//   (the kernel pages it). Layout, all offsets in the header:
//     [header 4096 B][status: 1 B/image][code: 1 B/image]
//     [message: 128 B/image, failures only][pixels: image_bytes/image, 4 KiB aligned]
//   The header holds a fingerprint of the sources and the settings that
//   change pixels (size, mode, maxPixels, format version); any mismatch
//   rebuilds the file from scratch. An image's status byte is written after
//   its pixels, so a file left by a killed process holds only finished images.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../ops/status.h"

namespace xfer {

class ImageCache {
 public:
  virtual ~ImageCache() = default;
  uint8_t* Pixels(uint32_t index) const { return pixels_ + static_cast<size_t>(index) * image_bytes_; }
  // Persistent outcome of an image (no-ops for the memory cache). Called
  // after the pixels are written.
  virtual void MarkOk(uint32_t /*index*/) {}
  virtual void MarkFailed(uint32_t /*index*/, ErrorCode /*code*/, const std::string& /*message*/) {}
  // Bytes this storage occupies (the file size for the disk cache).
  virtual uint64_t bytes() const = 0;

 protected:
  uint8_t* pixels_ = nullptr;
  size_t image_bytes_ = 0;
};

// Throws std::bad_alloc when the mapping cannot be made.
std::unique_ptr<ImageCache> CreateMemoryCache(size_t count, size_t image_bytes);

struct DiskCacheKey {
  uint64_t fingerprint_high = 0;
  uint64_t fingerprint_low = 0;
  uint64_t count = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  bool exact = false;
  uint64_t max_pixels = 0;
};

// What a reused file already knows about each image.
struct CachedOutcome {
  enum class State : uint8_t { kUnknown = 0, kOk = 1, kFailed = 2 };
  State state = State::kUnknown;
  ErrorCode code = ErrorCode::kOk;
  std::string message;
};

struct DiskCacheOpen {
  std::unique_ptr<ImageCache> cache;  // null on failure
  std::string error;                  // why, when cache is null
  bool reused = false;                // an existing file matched the key
  std::vector<CachedOutcome> outcomes;  // filled when reused
};

// Opens `path`, reusing it when its header matches `key`, else (re)creating
// it. Holds an exclusive flock on the file until the cache is destroyed, so a
// second loader (or process) on the same file gets an error instead of
// racing. Not available on Windows (error says so).
DiskCacheOpen OpenDiskCache(const std::string& path, const DiskCacheKey& key, size_t image_bytes);

}  // namespace xfer
