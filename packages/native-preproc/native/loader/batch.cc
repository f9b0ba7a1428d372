#include "batch.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <new>

#include "decode_scratch.h"
#include "guarded.h"
#include "read_source.h"
#include "thread_pool.h"

namespace xfer {
namespace {

DecodeScratch& ScratchForThisThread() {
  thread_local DecodeScratch scratch;
  return scratch;
}

Status Decode(const Source& source, const DecodeOptions& options, ReadScratch& read, RgbImage& image) {
  const uint8_t* data = nullptr;
  size_t size = 0;
  Status status = ReadSource(source, read, data, size);
  if (!status.ok()) return status;
  return DecodeImage(data, size, options, image);
}

}  // namespace

Status LoadAndDecode(const Source& source, uint64_t max_pixels, RgbImage& image) {
  return Guarded([&] {
    ReadScratch read;
    DecodeOptions options;
    options.max_pixels = max_pixels;
    return Decode(source, options, read, image);
  });
}

void RunResizeBatch(const std::vector<Source>& sources, const BatchSpec& spec, void* out,
                    std::vector<ItemOutcome>& outcomes) {
  const size_t count = sources.size();
  outcomes.assign(count, ItemOutcome{});
  const size_t slot_bytes =
      static_cast<size_t>(spec.width) * static_cast<size_t>(spec.height) * 3 * BytesPerSample(spec.type);

  DecodeOptions options;
  options.max_pixels = spec.max_pixels;
  if (!spec.exact) {
    options.target_width = spec.width;
    options.target_height = spec.height;
  }

  std::atomic<size_t> next{0};
  auto work = [&](size_t /*worker_slot*/) {
    DecodeScratch& scratch = ScratchForThisThread();
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
      uint8_t* slot = static_cast<uint8_t*>(out) + i * slot_bytes;
      ItemOutcome& outcome = outcomes[i];
      Status status = Guarded([&] {
        Status s = Decode(sources[i], options, scratch.read, scratch.image);
        if (!s.ok()) return s;
        ResizeBilinearRgb(scratch.image.pixels.data(), scratch.image.width, scratch.image.height, slot, spec.width,
                          spec.height, spec.type, scratch.resize);
        return s;
      });
      if (status.ok()) {
        outcome.warned = scratch.image.warned;
      } else {
        std::memset(slot, 0, slot_bytes);
        outcome.code = status.code;
        outcome.message = std::move(status.message);
      }
      outcome.done = true;
      scratch.TrimIfHuge();
    }
  };

  const size_t workers = std::min(spec.threads == 0 ? size_t{1} : spec.threads, count);
  ThreadPool::Shared().ParallelRun(workers, work);

  // Only reachable through a bug, but never hand uninitialised memory to JS
  // or report an unwritten slot as decoded.
  for (size_t i = 0; i < count; ++i) {
    if (outcomes[i].done) continue;
    std::memset(static_cast<uint8_t*>(out) + i * slot_bytes, 0, slot_bytes);
    outcomes[i].code = ErrorCode::kCorrupt;
    outcomes[i].message = "internal error: the item was not processed";
  }
}

}  // namespace xfer
