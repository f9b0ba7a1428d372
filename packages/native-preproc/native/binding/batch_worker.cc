// decodeResizeBatch(): the one native call per batch. The libuv worker thread
// allocates the output and fans the items out to the loader pool, so the JS
// thread only builds the small result object.
#include <limits>
#include <string>

#include "../loader/batch.h"
#include "../loader/thread_pool.h"
#include "args.h"
#include "exports.h"
#include "output_buffer.h"
#include "promise_worker.h"
#include "sources.h"

namespace xfer {
namespace {

class ResizeBatchWorker : public PromiseWorker {
 public:
  ResizeBatchWorker(Napi::Env env, HeldSources held, const BatchSpec& spec)
      : PromiseWorker(env, "xfer.decodeResizeBatch"),
        held_(std::move(held)),
        spec_(spec) {}

 protected:
  void Execute() override {
    // Exceptions thrown here (bad_alloc for an absurd batch) are turned into
    // a rejection by Napi::AsyncWorker.
    const size_t count = held_.sources.size();
    const size_t slot = static_cast<size_t>(spec_.width) * static_cast<size_t>(spec_.height) * 3 *
                        BytesPerSample(spec_.type);
    if (count != 0 && slot > std::numeric_limits<size_t>::max() / count) {
      SetError("batch output size overflows");
      return;
    }
    output_ = AlignedBuffer(slot * count);
    RunResizeBatch(held_.sources, spec_, output_.data(), outcomes_);
  }

  Napi::Value Result(Napi::Env env) override {
    const size_t count = outcomes_.size();
    Napi::Object result = Napi::Object::New(env);
    Napi::Uint8Array ok = Napi::Uint8Array::New(env, count);
    Napi::Array failures = Napi::Array::New(env);
    uint32_t failed = 0;
    double warnings = 0;
    for (size_t i = 0; i < count; ++i) {
      const ItemOutcome& o = outcomes_[i];
      ok[i] = o.code == ErrorCode::kOk ? 1 : 0;
      if (o.warned) warnings += 1;
      if (o.code != ErrorCode::kOk) {
        Napi::Object f = Napi::Object::New(env);
        f.Set("index", static_cast<double>(i));
        f.Set("code", ErrorCodeName(o.code));
        f.Set("message", o.message);
        failures.Set(failed++, f);
      }
    }
    result.Set("data", ToArrayBuffer(env, std::move(output_)));
    result.Set("ok", ok);
    result.Set("failures", failures);
    result.Set("warnings", warnings);
    return result;
  }

 private:
  HeldSources held_;
  BatchSpec spec_;
  AlignedBuffer output_;
  std::vector<ItemOutcome> outcomes_;
};

}  // namespace

Napi::Value DecodeResizeBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HeldSources held = HoldSourceArray(info);

  BatchSpec spec;
  spec.width = static_cast<int>(NumberArg(info, 1, 1, 16384, "width"));
  spec.height = static_cast<int>(NumberArg(info, 2, 1, 16384, "height"));
  spec.exact = BoolArg(info, 3, "exact");
  spec.type = BoolArg(info, 4, "float32") ? OutputType::kFloat32 : OutputType::kUint8;
  spec.threads = static_cast<size_t>(NumberArg(info, 5, 1, 1024, "threads"));
  spec.max_pixels = static_cast<uint64_t>(NumberArg(info, 6, 1, 9007199254740991.0, "maxPixels"));

  auto* worker = new ResizeBatchWorker(env, std::move(held), spec);
  return worker->QueueForPromise();
}

}  // namespace xfer
