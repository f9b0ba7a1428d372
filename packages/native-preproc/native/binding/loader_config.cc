#include "loader_config.h"

#include "config.h"
#include "sources.h"

namespace xfer {

LoaderConfig ReadLoaderConfig(const Napi::CallbackInfo& info, std::vector<Napi::ObjectReference>& keep_alive) {
  Napi::Env env = info.Env();
  HeldSources held = HoldSourceArray(info);
  // Batches carry source indices as int32.
  if (held.sources.size() > 0x7FFFFFFFu) throw Napi::RangeError::New(env, "too many sources");
  Napi::Int32Array labels = TypedArrayArg<Napi::Int32Array>(info, 1, napi_int32_array, "labels", "Int32Array");
  if (labels.ElementLength() != held.sources.size()) {
    throw Napi::RangeError::New(env, "labels must have one entry per source");
  }
  const Options o(info, 2);

  LoaderConfig c;
  const BatchSpec target = ReadDecodeTarget(o);
  c.width = target.width;
  c.height = target.height;
  c.exact = target.exact;
  c.max_pixels = target.max_pixels;
  c.threads = target.threads;
  c.batch_size = static_cast<size_t>(o.Count("batchSize", 1));
  c.drop_remainder = o.Bool("dropRemainder");
  c.shuffle = o.Bool("shuffle");
  c.seed = o.Count("seed");
  c.augment = ReadAugmentSpec(o);
  c.scale = o.Float32("scale");
  c.offset = o.Float32("offset");
  c.type = o.Enum("dtype", kDtypeNames);
  c.cache = o.Enum("cache", kCacheNames);
  if (c.cache == CacheKind::kDisk) c.cache_path = o.String("cachePath");
  c.prefetch = static_cast<size_t>(o.Count("prefetch"));
  c.throw_on_error = o.Enum("onError", kOnErrorNames);
  c.device = o.Enum("device", kDeviceNames);

  c.labels.assign(labels.Data(), labels.Data() + labels.ElementLength());
  c.sources = std::move(held.sources);
  keep_alive = std::move(held.keep_alive);
  return c;
}

}  // namespace xfer
