// augment(): one image through the loader's fused flip/rotate/normalize pass,
// with the parameters given explicitly (previews, parity tests).
// augmentParams(): the per-image draws the Loader makes, for the same
// (seed, epoch, index), so a preview can show exactly what training sees.
#include <cmath>
#include <string>

#include "../loader/rng.h"
#include "../ops/warp.h"
#include "args.h"
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

// augment(pixels: Uint8Array, width, height, flipH, flipV, angle, fill, fillValue,
//         interpolation, scale, offset, float32) -> Promise<ArrayBuffer>
Napi::Value Augment(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array pixels = TypedArrayArg<Napi::Uint8Array>(info, 0, napi_uint8_array, "pixels", "Uint8Array");
  const int width = static_cast<int>(NumberArg(info, 1, 1, 65535, "width"));
  const int height = static_cast<int>(NumberArg(info, 2, 1, 65535, "height"));
  if (pixels.ByteLength() != static_cast<size_t>(width) * height * 3) {
    throw Napi::RangeError::New(env, "augment: pixels must hold width * height * 3 bytes");
  }
  WarpParams p;
  p.flip_horizontal = BoolArg(info, 3, "flipHorizontal");
  p.flip_vertical = BoolArg(info, 4, "flipVertical");
  p.angle = FiniteArg(info, 5, "angle");
  p.fill = static_cast<FillMode>(static_cast<int>(NumberArg(info, 6, 0, 3, "fill")));
  p.fill_value = FloatArg(info, 7, "fillValue");
  p.interpolation = static_cast<Interpolation>(static_cast<int>(NumberArg(info, 8, 0, 1, "interpolation")));
  p.scale = FloatArg(info, 9, "scale");
  p.offset = FloatArg(info, 10, "offset");
  const OutputType type = BoolArg(info, 11, "float32") ? OutputType::kFloat32 : OutputType::kUint8;
  auto* worker = new AugmentWorker(env, pixels, width, height, p, type);
  return worker->QueueForPromise();
}

// augmentParams(seed, epoch, index, flipH, flipV, rotationFactor)
//   -> { flipHorizontal, flipVertical, angle }
Napi::Value AugmentParams(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double seed = NumberArg(info, 0, 0, 9007199254740991.0, "seed");
  const double epoch = NumberArg(info, 1, 0, 9007199254740991.0, "epoch");
  const double index = NumberArg(info, 2, 0, 9007199254740991.0, "index");
  AugmentSpec spec;
  spec.flip_horizontal = BoolArg(info, 3, "flipHorizontal");
  spec.flip_vertical = BoolArg(info, 4, "flipVertical");
  spec.rotation_factor = FiniteArg(info, 5, "rotation");
  const AugmentDraw d = DrawAugment(spec, static_cast<uint64_t>(seed), static_cast<uint64_t>(epoch),
                                    static_cast<uint64_t>(index));
  Napi::Object o = Napi::Object::New(env);
  o.Set("flipHorizontal", d.flip_horizontal);
  o.Set("flipVertical", d.flip_vertical);
  o.Set("angle", d.angle);
  return o;
}

// epochOrder(n, shuffle, seed, epoch) -> Uint32Array: the order a Loader epoch visits its sources.
Napi::Value EpochOrderJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = static_cast<size_t>(NumberArg(info, 0, 0, 0x7FFFFFFF, "n"));
  const bool shuffle = BoolArg(info, 1, "shuffle");
  const double seed = NumberArg(info, 2, 0, 9007199254740991.0, "seed");
  const double epoch = NumberArg(info, 3, 0, 9007199254740991.0, "epoch");
  const std::vector<uint32_t> order = EpochOrder(n, shuffle, static_cast<uint64_t>(seed), static_cast<uint64_t>(epoch));
  Napi::Uint32Array out = Napi::Uint32Array::New(env, n);
  for (size_t i = 0; i < n; ++i) out[i] = order[i];
  return out;
}

}  // namespace xfer
