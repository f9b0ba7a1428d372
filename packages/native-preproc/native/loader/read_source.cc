#include "read_source.h"

#include <cerrno>
#include <string>
#include <system_error>

#ifdef _WIN32
#include <cstdio>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

#include "../ops/inflate.h"
#include "read_file.h"

namespace xfer {
namespace {

std::string ErrnoText(int err) { return std::generic_category().message(err); }

#ifdef _WIN32
Status ReadAt(const std::string& path, uint64_t offset, uint64_t length, uint8_t* out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::Error(ErrorCode::kIo, "cannot open file: " + ErrnoText(errno != 0 ? errno : ENOENT));
  Status status = Status::Ok();
  if (_fseeki64(f, static_cast<long long>(offset), SEEK_SET) != 0) {
    status = Status::Error(ErrorCode::kIo, "cannot seek in file: " + ErrnoText(errno));
  } else if (std::fread(out, 1, length, f) != length) {
    status = Status::Error(ErrorCode::kIo, "file ends before the byte range " + std::to_string(offset) + "+" +
                                               std::to_string(length));
  }
  std::fclose(f);
  return status;
}
#else
// One open descriptor per worker thread for the file it read last: a zip's
// entries are all in one file, so this saves an open/close per image.
class CachedFd {
 public:
  ~CachedFd() { Close(); }
  int Get(const std::string& path, int& err) {
    if (fd_ >= 0 && path == path_) return fd_;
    Close();
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    err = errno;
    if (fd_ >= 0) path_ = path;
    return fd_;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    path_.clear();
  }

 private:
  int fd_ = -1;
  std::string path_;
};

Status ReadAt(const std::string& path, uint64_t offset, uint64_t length, uint8_t* out) {
  thread_local CachedFd cached;
  int err = 0;
  const int fd = cached.Get(path, err);
  if (fd < 0) return Status::Error(ErrorCode::kIo, "cannot open file: " + ErrnoText(err != 0 ? err : ENOENT));
  uint64_t done = 0;
  while (done < length) {
    const ssize_t got = ::pread(fd, out + done, static_cast<size_t>(length - done), static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      cached.Close();
      return Status::Error(ErrorCode::kIo, "cannot read file: " + ErrnoText(e));
    }
    if (got == 0) {
      // The file may have been replaced since it was opened; drop the
      // descriptor so that the next read sees the current file.
      cached.Close();
      return Status::Error(ErrorCode::kIo, "file ends before the byte range " + std::to_string(offset) + "+" +
                                               std::to_string(length) + " (at " + std::to_string(offset + done) + ")");
    }
    done += static_cast<uint64_t>(got);
  }
  return Status::Ok();
}
#endif

}  // namespace

void ReadScratch::TrimIfHuge() {
  constexpr size_t kKeep = size_t{64} << 20;
  if (file.capacity() > kKeep) std::vector<uint8_t>().swap(file);
  if (packed.capacity() > kKeep) std::vector<uint8_t>().swap(packed);
}

Status ReadSource(const Source& source, ReadScratch& scratch, const uint8_t*& data, size_t& size) {
  data = nullptr;
  size = 0;
  switch (source.kind) {
    case SourceKind::kBytes:
      data = source.data;
      size = source.size;
      return Status::Ok();
    case SourceKind::kPath: {
      Status s = ReadWholeFile(source.path, kMaxSourceBytes, scratch.file, size);
      if (s.ok()) data = scratch.file.data();
      return s;
    }
    case SourceKind::kRange: break;
  }
  if (source.length > kMaxSourceBytes || source.size > kMaxSourceBytes) {
    return Status::Error(ErrorCode::kTooLarge, "byte range of " + std::to_string(source.length) + " bytes (" +
                                                   std::to_string(source.size) + " inflated) is over the " +
                                                   std::to_string(kMaxSourceBytes) + "-byte read limit");
  }
  if (!source.deflated) {
    if (source.length != source.size) {
      return Status::Error(ErrorCode::kCorrupt, "stored byte range has length " + std::to_string(source.length) +
                                                    " but size " + std::to_string(source.size));
    }
    const size_t n = static_cast<size_t>(source.length);
    if (scratch.file.size() < n) scratch.file.resize(n);
    Status s = ReadAt(source.path, source.offset, source.length, scratch.file.data());
    if (!s.ok()) return s;
    data = scratch.file.data();
    size = n;
    return Status::Ok();
  }
  const size_t packed = static_cast<size_t>(source.length);
  const size_t inflated = static_cast<size_t>(source.size);
  if (scratch.packed.size() < packed) scratch.packed.resize(packed);
  Status s = ReadAt(source.path, source.offset, source.length, scratch.packed.data());
  if (!s.ok()) return s;
  // A zero-byte inflated size still needs a valid pointer.
  if (scratch.file.size() < inflated || scratch.file.empty()) scratch.file.resize(inflated > 0 ? inflated : 1);
  s = InflateRaw(scratch.packed.data(), packed, scratch.file.data(), inflated);
  if (!s.ok()) return s;
  data = scratch.file.data();
  size = inflated;
  return Status::Ok();
}

}  // namespace xfer
