#include "inflate.h"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <new>
#include <string>

namespace xfer {
namespace {

struct InflateStream {
  z_stream z{};
  bool open = false;
  ~InflateStream() {
    if (open) inflateEnd(&z);
  }
};

std::string ZMessage(const z_stream& z, const char* fallback) {
  return z.msg != nullptr ? std::string(z.msg) : std::string(fallback);
}

}  // namespace

Status InflateRaw(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
  InflateStream s;
  // Negative window bits: raw deflate, no zlib/gzip header (zip method 8).
  const int init = inflateInit2(&s.z, -MAX_WBITS);
  if (init == Z_MEM_ERROR) throw std::bad_alloc();
  if (init != Z_OK) return Status::Error(ErrorCode::kCorrupt, "inflate: cannot initialise zlib");
  s.open = true;

  // zlib counts in uInt (32 bits), so feed and drain in chunks.
  constexpr size_t kChunk = std::numeric_limits<uInt>::max();
  size_t in_pos = 0;
  size_t out_pos = 0;
  uint8_t overflow_probe = 0;
  while (true) {
    if (s.z.avail_in == 0 && in_pos < in_size) {
      const size_t n = std::min(kChunk, in_size - in_pos);
      s.z.next_in = const_cast<Bytef*>(in + in_pos);
      s.z.avail_in = static_cast<uInt>(n);
      in_pos += n;
    }
    bool probing = false;
    if (s.z.avail_out == 0) {
      if (out_pos < out_size) {
        const size_t n = std::min(kChunk, out_size - out_pos);
        s.z.next_out = out + out_pos;
        s.z.avail_out = static_cast<uInt>(n);
        out_pos += n;
      } else {
        // All declared bytes are written; one more byte of room tells a
        // finished stream from one that would produce more.
        s.z.next_out = &overflow_probe;
        s.z.avail_out = 1;
        probing = true;
      }
    }
    const int r = inflate(&s.z, Z_NO_FLUSH);
    if (r == Z_STREAM_END) {
      if (probing && s.z.avail_out == 0) {
        return Status::Error(ErrorCode::kCorrupt, "inflate: entry is larger than its declared size");
      }
      const size_t written = out_pos - (probing ? 0 : s.z.avail_out);
      if (written != out_size || s.z.total_out != out_size) {
        return Status::Error(ErrorCode::kCorrupt, "inflate: entry inflates to " + std::to_string(s.z.total_out) +
                                                      " bytes, not the declared " + std::to_string(out_size));
      }
      return Status::Ok();
    }
    if (r == Z_MEM_ERROR) throw std::bad_alloc();
    if (r == Z_DATA_ERROR || r == Z_NEED_DICT || r == Z_STREAM_ERROR) {
      return Status::Error(ErrorCode::kCorrupt, "inflate: " + ZMessage(s.z, "invalid deflate data"));
    }
    if (probing && s.z.avail_out == 0) {
      return Status::Error(ErrorCode::kCorrupt, "inflate: entry is larger than its declared size");
    }
    if (r == Z_BUF_ERROR) {
      // No progress possible: the input ran out before the end of the stream.
      if (s.z.avail_in == 0 && in_pos >= in_size) {
        return Status::Error(ErrorCode::kTruncated, "truncated deflate stream (the compressed data ends early)");
      }
      return Status::Error(ErrorCode::kCorrupt, "inflate: " + ZMessage(s.z, "no progress"));
    }
  }
}

}  // namespace xfer
