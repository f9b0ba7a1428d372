// decode(): one full-scale decode on a libuv worker thread. It does not use
// the loader pool: a single image gains nothing from it, and a preview must
// not queue behind a training batch.
#include "../loader/batch.h"
#include "enum_names.h"
#include "exports.h"
#include "options.h"
#include "output_buffer.h"
#include "promise_worker.h"
#include "sources.h"

namespace xfer {
namespace {

class DecodeWorker : public PromiseWorker {
 public:
  DecodeWorker(Napi::Env env, HeldSources held, uint64_t max_pixels)
      : PromiseWorker(env, "xfer.decode"),
        held_(std::move(held)),
        max_pixels_(max_pixels) {}

 protected:
  void Execute() override { status_ = LoadAndDecode(held_.sources.front(), max_pixels_, image_); }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object result = Napi::Object::New(env);
    if (!status_.ok()) {
      result.Set("code", NameOf(kErrorCodeNames, status_.code));
      result.Set("message", status_.message);
    } else {
      const size_t bytes = image_.byte_size();
      result.Set("data", ToArrayBuffer(env, std::move(image_.pixels), bytes));
      result.Set("width", image_.width);
      result.Set("height", image_.height);
      result.Set("warnings", image_.warned ? 1 : 0);
    }
    return result;
  }

 private:
  HeldSources held_;
  uint64_t max_pixels_;
  Status status_;
  RgbImage image_;
};

}  // namespace

Napi::Value Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) throw Napi::TypeError::New(env, "decode(source, options)");
  HeldSources held;
  AddSource(info[0], held);
  const Options options(info, 1);
  auto* worker = new DecodeWorker(env, std::move(held), options.Count("maxPixels", 1));
  return worker->QueueForPromise();
}

}  // namespace xfer
