#include "image_cache.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>
#include <system_error>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace xfer {
namespace {

std::string ErrnoText(int err) { return std::generic_category().message(err); }

#ifdef _WIN32

class HeapCache final : public ImageCache {
 public:
  HeapCache(size_t count, size_t image_bytes) : bytes_(count * image_bytes) {
    storage_.reset(new uint8_t[bytes_ > 0 ? bytes_ : 1]);
    pixels_ = storage_.get();
    image_bytes_ = image_bytes;
  }
  uint64_t bytes() const override { return bytes_; }

 private:
  size_t bytes_;
  std::unique_ptr<uint8_t[]> storage_;
};

}  // namespace

std::unique_ptr<ImageCache> CreateMemoryCache(size_t count, size_t image_bytes) {
  if (image_bytes != 0 && count > SIZE_MAX / image_bytes) throw std::bad_alloc();
  return std::make_unique<HeapCache>(count, image_bytes);
}

DiskCacheOpen OpenDiskCache(const std::string&, const DiskCacheKey&, size_t) {
  DiskCacheOpen r;
  r.error = "cache { path } (a memory-mapped disk cache) is not supported on Windows yet; use cache: 'memory'";
  return r;
}

#else

class MemoryCache final : public ImageCache {
 public:
  MemoryCache(size_t count, size_t image_bytes) : bytes_(count * image_bytes) {
    image_bytes_ = image_bytes;
    if (bytes_ == 0) return;
    // Anonymous and lazily committed: untouched pages cost nothing, so a
    // cache for a dataset with many failures does not pay for them.
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    // 2 MiB pages where the kernel allows them: a few hundred page faults
    // instead of one per 4 KiB while the first epoch fills the cache.
    madvise(p, bytes_, MADV_HUGEPAGE);
#endif
    pixels_ = static_cast<uint8_t*>(p);
  }
  ~MemoryCache() override {
    if (pixels_ != nullptr) munmap(pixels_, bytes_);
  }
  uint64_t bytes() const override { return bytes_; }

 private:
  size_t bytes_;
};

constexpr char kMagic[8] = {'X', 'F', 'E', 'R', 'I', 'M', 'G', 'C'};
constexpr uint32_t kFormat = 1;
constexpr uint64_t kHeaderBytes = 4096;
constexpr uint64_t kMessageBytes = 128;

struct Header {
  char magic[8];
  uint32_t format;
  uint32_t header_bytes;
  uint64_t fingerprint_high;
  uint64_t fingerprint_low;
  uint64_t count;
  uint32_t width;
  uint32_t height;
  uint32_t exact;
  uint32_t image_bytes;
  uint64_t max_pixels;
  uint64_t status_offset;
  uint64_t code_offset;
  uint64_t message_offset;
  uint64_t pixel_offset;
  uint64_t total_bytes;
};
static_assert(sizeof(Header) <= kHeaderBytes, "header fits its page");

uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

Header Layout(const DiskCacheKey& key, size_t image_bytes) {
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format = kFormat;
  h.header_bytes = static_cast<uint32_t>(kHeaderBytes);
  h.fingerprint_high = key.fingerprint_high;
  h.fingerprint_low = key.fingerprint_low;
  h.count = key.count;
  h.width = key.width;
  h.height = key.height;
  h.exact = key.exact ? 1 : 0;
  h.image_bytes = static_cast<uint32_t>(image_bytes);
  h.max_pixels = key.max_pixels;
  h.status_offset = kHeaderBytes;
  h.code_offset = h.status_offset + key.count;
  h.message_offset = AlignUp(h.code_offset + key.count, 64);
  h.pixel_offset = AlignUp(h.message_offset + key.count * kMessageBytes, 4096);
  h.total_bytes = h.pixel_offset + key.count * image_bytes;
  return h;
}

class DiskCache final : public ImageCache {
 public:
  DiskCache(int fd, uint8_t* map, const Header& h) : fd_(fd), map_(map), header_(h) {
    pixels_ = map_ + h.pixel_offset;
    image_bytes_ = h.image_bytes;
  }
  ~DiskCache() override {
    munmap(map_, header_.total_bytes);
    flock(fd_, LOCK_UN);
    close(fd_);
  }
  void MarkOk(uint32_t index) override { map_[header_.status_offset + index] = 1; }
  void MarkFailed(uint32_t index, ErrorCode code, const std::string& message) override {
    uint8_t* msg = map_ + header_.message_offset + static_cast<uint64_t>(index) * kMessageBytes;
    const size_t n = std::min<size_t>(message.size(), kMessageBytes - 1);
    std::memcpy(msg, message.data(), n);
    std::memset(msg + n, 0, kMessageBytes - n);
    map_[header_.code_offset + index] = static_cast<uint8_t>(code);
    map_[header_.status_offset + index] = 2;
  }
  uint64_t bytes() const override { return header_.total_bytes; }

  std::vector<CachedOutcome> Outcomes() const {
    std::vector<CachedOutcome> out(header_.count);
    for (uint64_t i = 0; i < header_.count; ++i) {
      const uint8_t s = map_[header_.status_offset + i];
      if (s == 1) {
        out[i].state = CachedOutcome::State::kOk;
      } else if (s == 2) {
        out[i].state = CachedOutcome::State::kFailed;
        const uint8_t code = map_[header_.code_offset + i];
        out[i].code = code >= 1 && code <= static_cast<uint8_t>(ErrorCode::kIo) ? static_cast<ErrorCode>(code)
                                                                                  : ErrorCode::kCorrupt;
        const char* msg = reinterpret_cast<const char*>(map_ + header_.message_offset + i * kMessageBytes);
        out[i].message.assign(msg, strnlen(msg, kMessageBytes));
      }
    }
    return out;
  }

 private:
  int fd_;
  uint8_t* map_;
  Header header_;
};

bool SameLayout(const Header& a, const Header& b) {
  return std::memcmp(a.magic, b.magic, sizeof a.magic) == 0 && a.format == b.format &&
         a.header_bytes == b.header_bytes && a.fingerprint_high == b.fingerprint_high &&
         a.fingerprint_low == b.fingerprint_low && a.count == b.count && a.width == b.width &&
         a.height == b.height && a.exact == b.exact && a.image_bytes == b.image_bytes &&
         a.max_pixels == b.max_pixels && a.status_offset == b.status_offset && a.code_offset == b.code_offset &&
         a.message_offset == b.message_offset && a.pixel_offset == b.pixel_offset &&
         a.total_bytes == b.total_bytes;
}

}  // namespace

std::unique_ptr<ImageCache> CreateMemoryCache(size_t count, size_t image_bytes) {
  if (image_bytes != 0 && count > SIZE_MAX / image_bytes) throw std::bad_alloc();
  return std::make_unique<MemoryCache>(count, image_bytes);
}

DiskCacheOpen OpenDiskCache(const std::string& path, const DiskCacheKey& key, size_t image_bytes) {
  DiskCacheOpen r;
  const Header want = Layout(key, image_bytes);
  auto fail = [&](const std::string& what, int err) {
    r.error = "cache file " + path + ": " + what + (err != 0 ? ": " + ErrnoText(err) : std::string());
    return std::move(r);
  };
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot open", errno);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    close(fd);
    if (err == EWOULDBLOCK) return fail("is in use by another Loader (close it first)", 0);
    return fail("cannot lock", err);
  }
  auto fail_fd = [&](const std::string& what, int err) {
    flock(fd, LOCK_UN);
    close(fd);
    return fail(what, err);
  };

  struct stat st {};
  if (fstat(fd, &st) != 0) return fail_fd("cannot stat", errno);
  bool reuse = false;
  if (static_cast<uint64_t>(st.st_size) == want.total_bytes) {
    Header have{};
    if (pread(fd, &have, sizeof have, 0) == static_cast<ssize_t>(sizeof have)) reuse = SameLayout(have, want);
  }
  if (!reuse) {
    // Start from an empty file: every status byte reads 0 (unknown).
    if (ftruncate(fd, 0) != 0) return fail_fd("cannot truncate", errno);
    if (ftruncate(fd, static_cast<off_t>(want.total_bytes)) != 0) return fail_fd("cannot size", errno);
#ifdef __linux__
    // Reserve the blocks now: writing into a hole of a full disk through a
    // mapping raises SIGBUS, which would take the process down.
    const int err = posix_fallocate(fd, 0, static_cast<off_t>(want.total_bytes));
    if (err != 0 && err != EOPNOTSUPP && err != EINVAL) return fail_fd("cannot reserve disk space", err);
#endif
    if (pwrite(fd, &want, sizeof want, 0) != static_cast<ssize_t>(sizeof want)) {
      return fail_fd("cannot write header", errno);
    }
  }
  void* map = mmap(nullptr, want.total_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return fail_fd("cannot map", errno);
  auto cache = std::make_unique<DiskCache>(fd, static_cast<uint8_t*>(map), want);
  if (reuse) r.outcomes = cache->Outcomes();
  r.reused = reuse;
  r.cache = std::move(cache);
  return r;
}

#endif

}  // namespace xfer
