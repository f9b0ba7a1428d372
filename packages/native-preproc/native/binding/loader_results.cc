#include "loader_results.h"

#include "enum_names.h"

namespace xfer {
namespace {

Napi::Int32Array ToInt32Array(Napi::Env env, const std::vector<int32_t>& v) {
  Napi::Int32Array a = Napi::Int32Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a[i] = v[i];
  return a;
}

Napi::Object Failure(Napi::Env env, uint32_t source, ErrorCode code, const std::string& message) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("index", static_cast<double>(source));
  o.Set("code", NameOf(kErrorCodeNames, code));
  o.Set("message", message);
  return o;
}

}  // namespace

Napi::Object NextResultToJs(Napi::Env env, const NextResult& r) {
  Napi::Object o = Napi::Object::New(env);
  switch (r.kind) {
    case NextResult::Kind::kBatch:
      o.Set("slot", r.slot);
      o.Set("count", static_cast<double>(r.count));
      o.Set("sequence", static_cast<double>(r.sequence));
      o.Set("labels", ToInt32Array(env, r.labels));
      o.Set("indices", ToInt32Array(env, r.indices));
      break;
    case NextResult::Kind::kError:
      o = Failure(env, r.source, r.code, r.message);
      break;
    case NextResult::Kind::kFatal:
    case NextResult::Kind::kStuck:
      o.Set("message", r.message);
      break;
    default: break;
  }
  o.Set("kind", NameOf(kNextKindNames, r.kind));
  return o;
}

Napi::Object StatsToJs(Napi::Env env, const LoaderStats& s, const SlotRing& ring) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("images", static_cast<double>(s.images));
  o.Set("decoded", static_cast<double>(s.decoded));
  Napi::Object stages = Napi::Object::New(env);
  stages.Set("read", s.read_ms);
  stages.Set("decode", s.decode_ms);
  stages.Set("resize", s.resize_ms);
  stages.Set("augment", s.augment_ms);
  stages.Set("gpu", s.gpu_ms);
  stages.Set("wait", s.wait_ms);
  o.Set("perStageMs", stages);
  o.Set("imagesPerSec", s.images_per_sec);
  o.Set("cachedImages", static_cast<double>(s.cached_images));
  o.Set("cacheBytes", static_cast<double>(s.cache_bytes));
  o.Set("cacheReused", s.cache_reused);
  Napi::Array skipped = Napi::Array::New(env, s.skipped.size());
  for (size_t i = 0; i < s.skipped.size(); ++i) {
    const SkipRecord& k = s.skipped[i];
    skipped.Set(static_cast<uint32_t>(i), Failure(env, k.source, k.code, k.message));
  }
  o.Set("skipped", skipped);
  Napi::Object slots = Napi::Object::New(env);
  slots.Set("slots", static_cast<double>(s.slots));
  slots.Set("free", static_cast<double>(s.slots_free));
  slots.Set("held", static_cast<double>(s.slots_held));
  slots.Set("slotBytes", static_cast<double>(ring.slot_bytes()));
  slots.Set("memory", ring.memory_kind());
  o.Set("ring", slots);
  o.Set("threads", static_cast<double>(s.threads));
  return o;
}

Napi::Object LengthToJs(Napi::Env env, const LengthInfo& l) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("known", l.known);
  o.Set("batches", static_cast<double>(l.batches));
  o.Set("good", static_cast<double>(l.good));
  o.Set("failed", static_cast<double>(l.failed));
  return o;
}

Napi::Object DeviceChoiceToJs(Napi::Env env, const DeviceChoice& d) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("kind", NameOf(kProcessorNames, d.cuda));
  o.Set("reason", d.reason);
  return o;
}

}  // namespace xfer
