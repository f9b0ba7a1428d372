// Where an image's encoded bytes come from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace xfer {

enum class SourceKind {
  kBytes,  // borrowed bytes that outlive every job using them
  kPath,   // a whole file, read by the worker
  kRange,  // a byte range of a file (a zip entry read in place), stored or raw-deflated
};

struct Source {
  SourceKind kind = SourceKind::kBytes;
  std::string path;               // kPath, kRange
  const uint8_t* data = nullptr;  // kBytes
  size_t size = 0;                // kBytes: byte count; kRange: inflated size (== length when stored)
  uint64_t offset = 0;            // kRange
  uint64_t length = 0;            // kRange: bytes at `offset` in the file
  bool deflated = false;          // kRange: raw deflate (zip method 8) rather than stored

  bool is_file() const { return kind != SourceKind::kBytes; }
};

}  // namespace xfer
