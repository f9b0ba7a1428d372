// benchDecodeOnly(): "the limit" for the benchmark. Reads and decodes every
// source exactly as the Loader does (same DCT scale for the target size) and
// stops there: no resize, no cache, no augmentation, no batch. Runs on the
// shared pool's threads like decodeResizeBatch.
#include <algorithm>
#include <atomic>
#include <chrono>

#include "../loader/guarded.h"
#include "../loader/read_source.h"
#include "../loader/thread_pool.h"
#include "../ops/decode.h"
#include "config.h"
#include "exports.h"
#include "promise_worker.h"
#include "sources.h"

namespace xfer {
namespace {

class BenchDecodeWorker : public PromiseWorker {
 public:
  BenchDecodeWorker(Napi::Env env, HeldSources held, const BatchSpec& spec)
      : PromiseWorker(env, "xfer.benchDecodeOnly"), held_(std::move(held)), spec_(spec) {}

 protected:
  void Execute() override {
    DecodeOptions options;
    options.max_pixels = spec_.max_pixels;
    if (!spec_.exact) {
      options.target_width = spec_.width;
      options.target_height = spec_.height;
    }
    const size_t count = held_.sources.size();
    std::atomic<size_t> next{0};
    std::atomic<size_t> ok{0};
    std::atomic<uint64_t> pixels{0};
    const auto t0 = std::chrono::steady_clock::now();
    auto work = [&](size_t) {
      ReadScratch read;
      RgbImage image;
      for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
        Status s = Guarded([&] {
          const uint8_t* data = nullptr;
          size_t size = 0;
          Status r = ReadSource(held_.sources[i], read, data, size);
          if (!r.ok()) return r;
          return DecodeImage(data, size, options, image);
        });
        if (s.ok()) {
          ok.fetch_add(1);
          pixels.fetch_add(static_cast<uint64_t>(image.width) * image.height);
        }
      }
    };
    const size_t workers = std::min(spec_.threads, count);
    ThreadPool::Shared().ParallelRun(workers, work);
    ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    decoded_ = ok.load();
    failed_ = count - decoded_;
    pixels_ = pixels.load();
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("ms", ms_);
    o.Set("images", static_cast<double>(decoded_));
    o.Set("failures", static_cast<double>(failed_));
    o.Set("decodedPixels", static_cast<double>(pixels_));
    return o;
  }

 private:
  HeldSources held_;
  BatchSpec spec_;
  double ms_ = 0;
  size_t decoded_ = 0;
  size_t failed_ = 0;
  uint64_t pixels_ = 0;
};

}  // namespace

// benchDecodeOnly(sources, options) -> Promise<{ ms, images, failures, decodedPixels }>
Napi::Value BenchDecodeOnly(const Napi::CallbackInfo& info) {
  HeldSources held = HoldSourceArray(info);
  const Options options(info, 1);
  auto* worker = new BenchDecodeWorker(info.Env(), std::move(held), ReadDecodeTarget(options));
  return worker->QueueForPromise();
}

}  // namespace xfer
