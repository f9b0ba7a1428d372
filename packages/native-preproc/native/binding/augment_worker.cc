// augment(): one image through the loader's fused flip/rotate/normalize pass,
// with the parameters given explicitly (previews, parity tests).
// augmentParams(): the per-image draws the Loader makes, for the same
// (seed, epoch, index), so a preview can show exactly what training sees.
#include "../loader/rng.h"
#include "../ops/warp.h"
#include "config.h"
#include "exports.h"
#include "output_buffer.h"
#include "promise_worker.h"

namespace xfer {
namespace {

class AugmentWorker : public PromiseWorker {
 public:
  AugmentWorker(Napi::Env env, Napi::Uint8Array image, int width, int height, const WarpParams& params, OutputType type)
      : PromiseWorker(env, "xfer.augment"),
        keep_(Napi::Persistent(image.As<Napi::Object>())),
        src_(image.Data()),
        width_(width),
        height_(height),
        params_(params),
        type_(type) {}

 protected:
  void Execute() override {
    output_ = AlignedBuffer(static_cast<size_t>(width_) * height_ * 3 * BytesPerSample(type_));
    WarpScratch scratch;
    AugmentRgb(src_, width_, height_, params_, output_.data(), type_, scratch);
  }

  Napi::Value Result(Napi::Env env) override {
    return ToArrayBuffer(env, std::move(output_));
  }

 private:
  Napi::ObjectReference keep_;
  const uint8_t* src_;
  int width_;
  int height_;
  WarpParams params_;
  OutputType type_;
  AlignedBuffer output_;
};

}  // namespace

// augment(pixels: Uint8Array, options) -> Promise<ArrayBuffer>
Napi::Value Augment(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array pixels = TypedArrayArg<Napi::Uint8Array>(info, 0, napi_uint8_array, "pixels", "Uint8Array");
  const Options options(info, 1);
  const int width = options.Side("width");
  const int height = options.Side("height");
  // Sides the ops can index cannot overflow this product in size_t.
  if (pixels.ByteLength() != static_cast<size_t>(width) * static_cast<size_t>(height) * 3) {
    throw Napi::RangeError::New(env, "augment: pixels must hold width * height * 3 bytes");
  }
  WarpParams p = ReadWarp(options);
  p.flip_horizontal = options.Bool("flipHorizontal");
  p.flip_vertical = options.Bool("flipVertical");
  p.angle = options.Finite("angle");
  const OutputType type = options.Enum("dtype", kDtypeNames);
  auto* worker = new AugmentWorker(env, pixels, width, height, p, type);
  return worker->QueueForPromise();
}

// augmentParams(options) -> { flipHorizontal, flipVertical, angle }
Napi::Value AugmentParams(const Napi::CallbackInfo& info) {
  const Options options(info, 0);
  const uint64_t seed = options.Count("seed");
  const uint64_t epoch = options.Count("epoch");
  const uint64_t index = options.Count("index");
  const AugmentDraw d = DrawAugment(ReadAugmentSpec(options), seed, epoch, index);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("flipHorizontal", d.flip_horizontal);
  o.Set("flipVertical", d.flip_vertical);
  o.Set("angle", d.angle);
  return o;
}

// epochOrder(options) -> Uint32Array: the order a Loader epoch visits its sources.
Napi::Value EpochOrderJs(const Napi::CallbackInfo& info) {
  const Options options(info, 0);
  // The order holds uint32 source indices.
  const size_t n = static_cast<size_t>(options.Integer("count", 0, 0xFFFFFFFF));
  const std::vector<uint32_t> order =
      EpochOrder(n, options.Bool("shuffle"), options.Count("seed"), options.Count("epoch"));
  Napi::Uint32Array out = Napi::Uint32Array::New(info.Env(), n);
  for (size_t i = 0; i < n; ++i) out[i] = order[i];
  return out;
}

}  // namespace xfer
