// Runs one item's work so that nothing it throws escapes a worker thread:
// anything thrown is a resource failure or a bug, and either way it becomes
// that item's error.
#pragma once

#include <exception>
#include <new>
#include <string>

#include "../ops/status.h"

namespace xfer {

template <typename Fn>
Status Guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return Status::Error(ErrorCode::kTooLarge, "out of memory while decoding");
  } catch (const std::exception& e) {
    return Status::Error(ErrorCode::kCorrupt, std::string("internal error: ") + e.what());
  } catch (...) {
    return Status::Error(ErrorCode::kCorrupt, "internal error");
  }
}

}  // namespace xfer
