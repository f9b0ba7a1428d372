#include "cache_fingerprint.h"

#include <filesystem>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "hash.h"

namespace xfer {
namespace {

using FileStamps = std::unordered_map<std::string, std::pair<uint64_t, uint64_t>>;

// Size and modification time of a file (all ones where it cannot be
// stat'ed). `seen` stats each path once: the entries of one zip share it.
void FingerprintFile(Fingerprint& f, const std::string& path, FileStamps& seen) {
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

DiskCacheKey MakeDiskCacheKey(const LoaderConfig& config) {
  Fingerprint f;
  f.Str("xfer loader cache: sources, size, mode, maxPixels");
  FileStamps seen;
  for (const Source& s : config.sources) {
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
  key.count = config.sources.size();
  key.width = static_cast<uint32_t>(config.width);
  key.height = static_cast<uint32_t>(config.height);
  key.exact = config.exact;
  key.max_pixels = config.max_pixels;
  return key;
}

}  // namespace xfer
