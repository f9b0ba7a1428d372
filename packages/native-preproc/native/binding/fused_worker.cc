// fusedBatch() and cudaCopyBench(): diagnostics for tests and
// tools/gpu-check, not part of the training path. fusedBatch runs the fused
// batch maths (cuda/fused_pixel.h) on decoded images of any sizes, either on
// this CPU ('cpu': how the kernel's maths is tested without a GPU) or
// through a CudaStage on the GPU ('cuda': what the Loader's CUDA path runs,
// with the stage's copy and kernel times).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "../cuda/copy_bench.h"
#include "../cuda/cuda_stage.h"
#include "../cuda/fused_batch.h"
#include "../cuda/pinned_allocator.h"
#include "../loader/byte_size.h"
#include "../loader/device_choice.h"
#include "config.h"
#include "exports.h"
#include "output_buffer.h"
#include "promise_worker.h"

namespace xfer {
namespace {

constexpr size_t kDescriptorFields = 6;  // offset, width, height, flipH, flipV, angle

class FusedBatchWorker : public PromiseWorker {
 public:
  FusedBatchWorker(Napi::Env env, Napi::Uint8Array pixels, std::vector<fused::FusedImage> images,
                   const fused::FusedParams& params, bool cuda, int repeats)
      : PromiseWorker(env, "xfer.fusedBatch"),
        keep_(Napi::Persistent(pixels.As<Napi::Object>())),
        input_(pixels.Data()),
        input_bytes_(pixels.ByteLength()),
        images_(std::move(images)),
        params_(params),
        cuda_(cuda),
        repeats_(repeats) {}

 protected:
  void Execute() override {
    try {
      const size_t bytes = ByteProduct(images_.size(), FusedOutputImageBytes(params_));
      output_ = AlignedBuffer(std::max<size_t>(bytes, 1));
      if (cuda_) {
        RunCuda(bytes);
      } else {
        RunFusedBatchHost(input_, images_.data(), images_.size(), params_, output_.data());
      }
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("data", ToArrayBuffer(env, std::move(output_)));
    if (cuda_) {
      Napi::Object t = Napi::Object::New(env);
      t.Set("h2dMs", best_.h2d_ms);
      t.Set("kernelMs", best_.kernel_ms);
      t.Set("d2hMs", best_.d2h_ms);
      t.Set("inputBytes", static_cast<double>(input_bytes_ + images_.size() * sizeof(fused::FusedImage)));
      o.Set("timing", t);
    }
    return o;
  }

 private:
  // A one-slot stage, as the Loader uses; the batch lands in pinned memory.
  void RunCuda(size_t bytes) {
    if (!CachedCudaInfo().available) throw std::runtime_error("CUDA is not available: " + CachedCudaInfo().reason);
    CudaStage stage(1, std::max<size_t>(input_bytes_, 1), std::max<size_t>(images_.size(), 1), params_);
    std::memcpy(stage.input(0), input_, input_bytes_);
    std::copy(images_.begin(), images_.end(), stage.images(0));
    std::unique_ptr<SlotAllocator> pinned = MakePinnedSlotAllocator();
    void* host_out = pinned->Allocate(bytes);
    try {
      // The first run also pays for module loading; the best of the rest is reported.
      for (int i = 0; i < repeats_; ++i) {
        StageTiming t;
        stage.Run(0, images_.size(), input_bytes_, host_out, &t);
        if (i == 0 || t.h2d_ms < best_.h2d_ms) best_.h2d_ms = t.h2d_ms;
        if (i == 0 || t.kernel_ms < best_.kernel_ms) best_.kernel_ms = t.kernel_ms;
        if (i == 0 || t.d2h_ms < best_.d2h_ms) best_.d2h_ms = t.d2h_ms;
      }
      std::memcpy(output_.data(), host_out, bytes);
    } catch (...) {
      pinned->Free(host_out, bytes);
      throw;
    }
    pinned->Free(host_out, bytes);
  }

  Napi::ObjectReference keep_;
  const uint8_t* input_;
  size_t input_bytes_;
  std::vector<fused::FusedImage> images_;
  fused::FusedParams params_;
  bool cuda_;
  int repeats_;
  StageTiming best_;
  AlignedBuffer output_;
};

}  // namespace

// fusedBatch(pixels, images, options) -> Promise<{ data, timing? }>
Napi::Value FusedBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array pixels = TypedArrayArg<Napi::Uint8Array>(info, 0, napi_uint8_array, "pixels", "Uint8Array");
  Napi::Float64Array desc = TypedArrayArg<Napi::Float64Array>(info, 1, napi_float64_array, "images", "Float64Array");
  if (desc.ElementLength() % kDescriptorFields != 0) {
    throw Napi::RangeError::New(env, "fusedBatch: images must hold 6 numbers per image");
  }
  const Options options(info, 2);
  const bool cuda = options.Enum("device", kProcessorNames);
  const int out_w = options.Side("width");
  const int out_h = options.Side("height");
  const WarpParams warp = ReadWarp(options);
  const OutputType type = options.Enum("dtype", kDtypeNames);
  const int repeats = static_cast<int>(options.Integer("repeats", 1, std::numeric_limits<int>::max()));
  const fused::FusedParams params = MakeFusedParams(out_w, out_h, warp, type);

  const size_t count = desc.ElementLength() / kDescriptorFields;
  std::vector<fused::FusedImage> images;
  images.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const double* d = desc.Data() + i * kDescriptorFields;
    const double offset = d[0], width = d[1], height = d[2], angle = d[5];
    const bool whole = std::floor(offset) == offset && std::floor(width) == width && std::floor(height) == height;
    if (!whole || offset < 0 || width < 1 || height < 1 || width > kMaxIndexableSide || height > kMaxIndexableSide ||
        !std::isfinite(angle) || offset + width * height * 3 > static_cast<double>(pixels.ByteLength())) {
      throw Napi::RangeError::New(env, "fusedBatch: image " + std::to_string(i) + " does not fit in pixels");
    }
    images.push_back(DescribeFusedImage(static_cast<uint64_t>(offset), static_cast<int>(width),
                                        static_cast<int>(height), d[3] != 0, d[4] != 0, angle, out_w, out_h));
  }
  auto* worker = new FusedBatchWorker(env, pixels, std::move(images), params, cuda, repeats);
  return worker->QueueForPromise();
}

// cudaCopyBench(options) -> { pageableH2dMs, pinnedH2dMs, d2dMs }; throws without CUDA.
Napi::Value CudaCopyBench(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Options options(info, 0);
  const size_t h2d = static_cast<size_t>(options.Count("h2dBytes"));
  const size_t d2d = static_cast<size_t>(options.Count("d2dBytes"));
  const int repeats = static_cast<int>(options.Integer("repeats", 1, std::numeric_limits<int>::max()));
  if (!CachedCudaInfo().available) throw Napi::Error::New(env, "CUDA is not available: " + CachedCudaInfo().reason);
  try {
    const CopyBenchResult r = RunCopyBench(h2d, d2d, repeats);
    Napi::Object o = Napi::Object::New(env);
    o.Set("pageableH2dMs", r.pageable_h2d_ms);
    o.Set("pinnedH2dMs", r.pinned_h2d_ms);
    o.Set("d2dMs", r.d2d_ms);
    return o;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

}  // namespace xfer
