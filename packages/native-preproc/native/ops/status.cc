#include "status.h"

namespace xfer {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "OK";
    case ErrorCode::kEmpty: return "EMPTY";
    case ErrorCode::kTruncated: return "TRUNCATED";
    case ErrorCode::kUnsupportedFormat: return "UNSUPPORTED_FORMAT";
    case ErrorCode::kCorrupt: return "CORRUPT";
    case ErrorCode::kTooLarge: return "TOO_LARGE";
    case ErrorCode::kIo: return "IO";
  }
  return "CORRUPT";
}

}  // namespace xfer
