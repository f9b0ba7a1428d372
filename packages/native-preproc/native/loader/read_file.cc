#include "read_file.h"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

namespace xfer {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string ErrnoText(int err) { return std::generic_category().message(err); }

}  // namespace

Status ReadWholeFile(const std::string& path, uint64_t max_bytes, std::vector<uint8_t>& buffer, size_t& size) {
  size = 0;
  errno = 0;
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return Status::Error(ErrorCode::kIo, "cannot open file: " + ErrnoText(errno != 0 ? errno : ENOENT));

  // The size from stat is only a hint (the file may change underneath us, a
  // FIFO has none): ask for one byte more so EOF is seen in a single read.
  std::error_code ec;
  const uintmax_t hint = std::filesystem::file_size(path, ec);
  if (!ec && hint > max_bytes) {
    return Status::Error(ErrorCode::kTooLarge, "file is " + std::to_string(hint) + " bytes, over the " +
                                                   std::to_string(max_bytes) + "-byte read limit");
  }
  size_t want_total = !ec ? static_cast<size_t>(hint) + 1 : size_t{1} << 16;

  while (true) {
    if (buffer.size() < want_total) buffer.resize(want_total);
    const size_t want = want_total - size;
    const size_t got = std::fread(buffer.data() + size, 1, want, file.get());
    size += got;
    if (size > max_bytes) {
      size = 0;
      return Status::Error(ErrorCode::kTooLarge,
                           "file is larger than the " + std::to_string(max_bytes) + "-byte read limit");
    }
    if (got < want) {
      if (std::ferror(file.get())) {
        const int err = errno;
        size = 0;
        return Status::Error(ErrorCode::kIo, "cannot read file: " + ErrnoText(err != 0 ? err : EIO));
      }
      return Status::Ok();  // EOF
    }
    want_total = size * 2;
  }
}

}  // namespace xfer
