// decodeResizeBatch(): the one native call per batch. The libuv worker thread
// allocates the output and fans the items out to the loader pool, so the JS
// thread only builds the small result object.
#include <string>

#include "../loader/batch.h"
#include "../loader/byte_size.h"
#include "../loader/thread_pool.h"
#include "config.h"
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
    // Sides the ops can index cannot overflow one slot's size; a count can.
    // What is thrown here becomes a rejection (Napi::AsyncWorker).
    const size_t slot = static_cast<size_t>(spec_.width) * static_cast<size_t>(spec_.height) * 3 *
                        BytesPerSample(spec_.type);
    output_ = AlignedBuffer(ByteProduct(slot, held_.sources.size()));
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
        f.Set("code", NameOf(kErrorCodeNames, o.code));
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
  const Options options(info, 1);
  BatchSpec spec = ReadDecodeTarget(options);
  spec.type = options.Enum("dtype", kDtypeNames);

  auto* worker = new ResizeBatchWorker(env, std::move(held), spec);
  return worker->QueueForPromise();
}

}  // namespace xfer
