#include "batch.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <new>

#include "read_file.h"
#include "thread_pool.h"

namespace xfer {
namespace {

// Buffers a worker thread reuses from image to image, so steady-state
// decoding does no allocation.
struct WorkerScratch {
  std::vector<uint8_t> file;
  RgbImage image;
  ResizeScratch resize;

  // One huge image must not pin hundreds of MB per pool thread for the rest
  // of the process.
  void TrimIfHuge() {
    constexpr size_t kKeep = size_t{64} << 20;
    if (image.pixels.capacity() > kKeep) std::vector<uint8_t>().swap(image.pixels);
    if (file.capacity() > kKeep) std::vector<uint8_t>().swap(file);
  }
};

WorkerScratch& ScratchForThisThread() {
  thread_local WorkerScratch scratch;
  return scratch;
}

Status Decode(const Source& source, const DecodeOptions& options, std::vector<uint8_t>& file, RgbImage& image) {
  if (!source.is_path) return DecodeImage(source.data, source.size, options, image);
  size_t size = 0;
  Status read = ReadWholeFile(source.path, kMaxFileBytes, file, size);
  if (!read.ok()) return read;
  return DecodeImage(file.data(), size, options, image);
}

// Anything thrown below is a resource failure or a bug; either way it becomes
// this item's error instead of escaping the thread.
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

}  // namespace

size_t BytesPerSample(OutputType type) { return type == OutputType::kFloat32 ? 4 : 1; }

Status LoadAndDecode(const Source& source, uint64_t max_pixels, RgbImage& image) {
  return Guarded([&] {
    std::vector<uint8_t> file;
    DecodeOptions options;
    options.max_pixels = max_pixels;
    return Decode(source, options, file, image);
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
    WorkerScratch& scratch = ScratchForThisThread();
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
      uint8_t* slot = static_cast<uint8_t*>(out) + i * slot_bytes;
      ItemOutcome& outcome = outcomes[i];
      Status status = Guarded([&] {
        Status s = Decode(sources[i], options, scratch.file, scratch.image);
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
