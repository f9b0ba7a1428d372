// Typed outcome of an op. Ops never throw across their API for bad input:
// every failure on untrusted data becomes a Status, so a batch can record it
// per item and go on. (std::bad_alloc can still escape; the loader maps it.)
#pragma once

#include <string>
#include <utility>

namespace xfer {

// Mirrors DecodeErrorCode in src/errors.ts; the binding passes the name
// (binding/enum_names.h), not the number.
enum class ErrorCode {
  kOk = 0,
  kEmpty,
  kTruncated,
  kUnsupportedFormat,
  kCorrupt,
  kTooLarge,
  kIo,
};

struct Status {
  ErrorCode code = ErrorCode::kOk;
  std::string message;

  bool ok() const { return code == ErrorCode::kOk; }
  static Status Ok() { return Status{}; }
  static Status Error(ErrorCode c, std::string msg) { return Status{c, std::move(msg)}; }
};

}  // namespace xfer
