// NativeLoader: the JS handle of a LoaderEngine. One native call per batch:
// next() returns a promise that the engine resolves through a thread-safe
// function when the batch's slot is ready; the batch itself is a view of a
// ring slot (an external ArrayBuffer, created once per slot).
//
// Lifetime rules:
// - The engine's threads read the Uint8Array sources, so references to them
//   are kept until the engine is closed (threads joined).
// - Slot memory is shared with every ArrayBuffer that views it and freed when
//   the last one is collected, so a batch read after close() is still valid
//   memory.
// - The thread-safe function is referenced (keeps the event loop alive) only
//   while a next() is pending, so an idle loader never holds the process.
// - close(), the GC finalizer and the env cleanup hook (process exit) all stop
//   and join the threads before anything they use goes away.
#include <napi.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "../loader/loader.h"
#include "args.h"
#include "exports.h"
#include "sources.h"

namespace xfer {
namespace {

double Field(Napi::Object o, const char* key, double lo, double hi, bool integer) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("loader config ") + key + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= lo && d <= hi) || (integer && std::floor(d) != d)) {
    throw Napi::RangeError::New(o.Env(), std::string("loader config ") + key + " is out of range");
  }
  return d;
}

bool Flag(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsBoolean()) throw Napi::TypeError::New(o.Env(), std::string("loader config ") + key + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

LoaderConfig ParseConfig(Napi::Object o, std::vector<Napi::ObjectReference>& keep_alive) {
  Napi::Env env = o.Env();
  LoaderConfig c;
  Napi::Value sources = o.Get("sources");
  if (!sources.IsArray()) throw Napi::TypeError::New(env, "loader config sources must be an array");
  Napi::Array list = sources.As<Napi::Array>();
  if (list.Length() > 0x7FFFFFFFu) throw Napi::RangeError::New(env, "too many sources");
  c.sources.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i) c.sources.push_back(ToSource(list.Get(i), keep_alive));

  Napi::Value labels = o.Get("labels");
  if (!labels.IsTypedArray() || labels.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(env, "loader config labels must be an Int32Array");
  }
  Napi::Int32Array l = labels.As<Napi::Int32Array>();
  if (l.ElementLength() != c.sources.size()) {
    throw Napi::RangeError::New(env, "loader config labels must have one entry per source");
  }
  c.labels.assign(l.Data(), l.Data() + l.ElementLength());

  c.width = static_cast<int>(Field(o, "width", 1, 16384, true));
  c.height = static_cast<int>(Field(o, "height", 1, 16384, true));
  c.exact = Flag(o, "exact");
  c.max_pixels = static_cast<uint64_t>(Field(o, "maxPixels", 1, 9007199254740991.0, true));
  c.batch_size = static_cast<size_t>(Field(o, "batchSize", 1, 1 << 20, true));
  c.drop_remainder = Flag(o, "dropRemainder");
  c.shuffle = Flag(o, "shuffle");
  c.seed = static_cast<uint64_t>(Field(o, "seed", 0, 9007199254740991.0, true));
  c.augment.flip_horizontal = Flag(o, "flipHorizontal");
  c.augment.flip_vertical = Flag(o, "flipVertical");
  c.augment.rotation_factor = Field(o, "rotation", 0, 1e6, false);
  c.augment.fill = static_cast<FillMode>(static_cast<int>(Field(o, "fill", 0, 3, true)));
  c.augment.fill_value = static_cast<float>(Field(o, "fillValue", -3.4e38, 3.4e38, false));
  c.augment.interpolation = static_cast<Interpolation>(static_cast<int>(Field(o, "interpolation", 0, 1, true)));
  c.scale = static_cast<float>(Field(o, "scale", -3.4e38, 3.4e38, false));
  c.offset = static_cast<float>(Field(o, "offset", -3.4e38, 3.4e38, false));
  c.type = Flag(o, "float32") ? OutputType::kFloat32 : OutputType::kUint8;
  c.cache = static_cast<CacheKind>(static_cast<int>(Field(o, "cache", 0, 2, true)));
  if (c.cache == CacheKind::kDisk) {
    Napi::Value path = o.Get("cachePath");
    if (!path.IsString()) throw Napi::TypeError::New(env, "loader config cachePath must be a string");
    c.cache_path = path.As<Napi::String>().Utf8Value();
  }
  c.prefetch = static_cast<size_t>(Field(o, "prefetch", 0, 1024, true));
  c.threads = static_cast<size_t>(Field(o, "threads", 1, 1024, true));
  c.throw_on_error = Flag(o, "throwOnError");
  // Optional for direct callers of the raw addon, who keep the CPU path;
  // src/loader.ts always sets it (default 'auto').
  if (!o.Get("device").IsUndefined()) {
    c.device = static_cast<DeviceRequest>(static_cast<int>(Field(o, "device", 0, 2, true)));
  }

  const double slot_bytes = static_cast<double>(c.batch_size) * c.width * c.height * 3 * BytesPerSample(c.type);
  if (slot_bytes > 4294967296.0) {
    throw Napi::RangeError::New(env, "a batch slot would exceed 4 GiB (batchSize x height x width x 3 x sample size)");
  }
  return c;
}

const char* KindName(NextResult::Kind k) {
  switch (k) {
    case NextResult::Kind::kBatch: return "batch";
    case NextResult::Kind::kEnd: return "end";
    case NextResult::Kind::kError: return "error";
    case NextResult::Kind::kSuperseded: return "superseded";
    case NextResult::Kind::kClosed: return "closed";
    case NextResult::Kind::kFatal: return "fatal";
    case NextResult::Kind::kStuck: return "stuck";
  }
  return "fatal";
}

Napi::Int32Array ToInt32Array(Napi::Env env, const std::vector<int32_t>& v) {
  Napi::Int32Array a = Napi::Int32Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a[i] = v[i];
  return a;
}

Napi::Object ToJs(Napi::Env env, const NextResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("kind", KindName(r.kind));
  switch (r.kind) {
    case NextResult::Kind::kBatch:
      o.Set("slot", r.slot);
      o.Set("count", static_cast<double>(r.count));
      o.Set("sequence", static_cast<double>(r.sequence));
      o.Set("labels", ToInt32Array(env, r.labels));
      o.Set("indices", ToInt32Array(env, r.indices));
      break;
    case NextResult::Kind::kError:
      o.Set("index", static_cast<double>(r.source));
      o.Set("code", ErrorCodeName(r.code));
      o.Set("message", r.message);
      break;
    case NextResult::Kind::kFatal:
    case NextResult::Kind::kStuck:
      o.Set("message", r.message);
      break;
    default: break;
  }
  return o;
}

class NativeLoader;

// The thread-safe function's context. It outlives the wrap (the TSFN
// finalizer deletes it), so a call still queued when the wrap is collected
// finds wrap == nullptr instead of a dangling pointer.
struct Link {
  NativeLoader* wrap = nullptr;
};

struct Payload {
  uint64_t id = 0;
  NextResult result;
};

class NativeLoader : public Napi::ObjectWrap<NativeLoader> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeLoader",
                       {
                           InstanceMethod<&NativeLoader::StartEpoch>("startEpoch"),
                           InstanceMethod<&NativeLoader::Next>("next"),
                           InstanceMethod<&NativeLoader::Release>("release"),
                           InstanceMethod<&NativeLoader::SlotBuffer>("slotBuffer"),
                           InstanceMethod<&NativeLoader::Stats>("stats"),
                           InstanceMethod<&NativeLoader::Length>("length"),
                           InstanceMethod<&NativeLoader::Device>("device"),
                           InstanceMethod<&NativeLoader::Close>("close"),
                       });
  }

  explicit NativeLoader(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeLoader>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "new NativeLoader(config)");
    LoaderConfig config = ParseConfig(info[0].As<Napi::Object>(), keep_alive_);
    try {
      engine_ = std::make_unique<LoaderEngine>(std::move(config));
    } catch (const DeviceUnavailableError& e) {
      // src/loader.ts turns this code into a CudaUnavailableError.
      Napi::Error error = Napi::Error::New(env, e.what());
      error.Set("code", "CUDA_UNAVAILABLE");
      throw error;
    } catch (const std::bad_alloc&) {
      throw Napi::Error::New(env, "out of memory allocating the loader's batch ring");
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, std::string("cannot start the loader: ") + e.what());
    }
    link_ = new Link{this};
    napi_value name = Napi::String::New(env, "xfer.Loader");
    napi_status status = napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, link_, DeleteLink, link_,
                                                         CallJs, &tsfn_);
    if (status != napi_ok) {
      delete link_;
      link_ = nullptr;
      engine_->Close();
      throw Napi::Error::New(env, "cannot create the loader's thread-safe function");
    }
    napi_unref_threadsafe_function(env, tsfn_);
    env_ = env;
    napi_add_env_cleanup_hook(env, EnvCleanup, this);
    hook_added_ = true;
  }

  ~NativeLoader() override {
    // Collected without close(): stop the threads (they may read the
    // sources held below) before anything is released.
    Shutdown();
    if (hook_added_) napi_remove_env_cleanup_hook(env_, EnvCleanup, this);
  }

  // Called on the JS thread by the thread-safe function.
  void Deliver(Napi::Env env, std::unique_ptr<Payload> p) {
    if (!has_pending_ || p->id != pending_id_) {
      // The request was cancelled (close) after the batch was produced.
      if (p->result.kind == NextResult::Kind::kBatch && engine_) engine_->Release(p->result.slot);
      return;
    }
    has_pending_ = false;
    SetRef(env, false);
    Napi::Promise::Deferred deferred = *pending_;
    pending_.reset();
    try {
      deferred.Resolve(ToJs(env, p->result));
    } catch (const Napi::Error& e) {
      deferred.Reject(e.Value());
    }
  }

  void FinishClose() {
    // Threads are joined: nothing reads the sources any more.
    keep_alive_.clear();
    ReleaseTsfn();
  }

 private:
  static void DeleteLink(napi_env, void* data, void*) { delete static_cast<Link*>(data); }

  static void CallJs(napi_env env, napi_value, void* context, void* data) {
    std::unique_ptr<Payload> p(static_cast<Payload*>(data));
    Link* link = static_cast<Link*>(context);
    if (env == nullptr || link == nullptr || link->wrap == nullptr) return;
    try {
      link->wrap->Deliver(Napi::Env(env), std::move(p));
    } catch (...) {
      // A JS exception while building the result object: nothing to do.
    }
  }

  static void EnvCleanup(void* arg) {
    NativeLoader* self = static_cast<NativeLoader*>(arg);
    self->hook_added_ = false;
    self->Shutdown();
  }

  void Shutdown() {
    if (engine_) engine_->Close();
    if (link_ != nullptr) link_->wrap = nullptr;
    ReleaseTsfn();
  }

  void ReleaseTsfn() {
    if (tsfn_ != nullptr) {
      napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
      tsfn_ = nullptr;
      link_ = nullptr;  // owned by the TSFN finalizer from here on
    }
  }

  void SetRef(Napi::Env env, bool ref) {
    if (tsfn_ == nullptr || ref == refed_) return;
    if (ref) {
      napi_ref_threadsafe_function(env, tsfn_);
    } else {
      napi_unref_threadsafe_function(env, tsfn_);
    }
    refed_ = ref;
  }

  Napi::Value StartEpoch(const Napi::CallbackInfo& info) {
    const double epoch = NumberArg(info, 0, 0, 9007199254740991.0, "epoch");
    return Napi::Number::New(info.Env(), static_cast<double>(engine_->StartEpoch(static_cast<uint64_t>(epoch))));
  }

  Napi::Value Next(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const double generation = NumberArg(info, 0, 0, 9007199254740991.0, "generation");
    Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
    if (closing_) {
      NextResult r;
      r.kind = NextResult::Kind::kClosed;
      deferred.Resolve(ToJs(env, r));
      return deferred.Promise();
    }
    if (has_pending_) {
      deferred.Reject(Napi::Error::New(env, "next() is already pending on this loader").Value());
      return deferred.Promise();
    }
    const uint64_t id = ++next_id_;
    napi_threadsafe_function tsfn = tsfn_;
    DeliverFn deliver = [tsfn, id](NextResult result) {
      auto* p = new Payload{id, std::move(result)};
      if (napi_call_threadsafe_function(tsfn, p, napi_tsfn_nonblocking) != napi_ok) delete p;
    };
    std::optional<NextResult> now = engine_->RequestNext(static_cast<uint64_t>(generation), std::move(deliver));
    if (now) {
      deferred.Resolve(ToJs(env, *now));
    } else {
      pending_ = deferred;
      pending_id_ = id;
      has_pending_ = true;
      SetRef(env, true);
    }
    return deferred.Promise();
  }

  Napi::Value Release(const Napi::CallbackInfo& info) {
    const double slot = NumberArg(info, 0, 0, 1 << 20, "slot");
    return Napi::Boolean::New(info.Env(), engine_->Release(static_cast<int>(slot)));
  }

  // The whole slot as an ArrayBuffer. The memory stays alive (shared with
  // the loader) until this buffer is collected. One buffer per slot, kept
  // here: V8 must never see two ArrayBuffers over the same memory.
  Napi::Value SlotBuffer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::shared_ptr<SlotRing> ring = engine_->ring();
    const size_t slot = static_cast<size_t>(NumberArg(info, 0, 0, 1 << 20, "slot"));
    if (slot >= ring->count()) throw Napi::RangeError::New(env, "slot out of range");
    if (slot_buffers_.size() < ring->count()) slot_buffers_.resize(ring->count());
    if (!slot_buffers_[slot].IsEmpty()) return slot_buffers_[slot].Value();
    auto* hold = new std::shared_ptr<SlotRing>(ring);
    napi_value value = nullptr;
    const napi_status status = napi_create_external_arraybuffer(
        env, ring->data(slot), ring->slot_bytes(),
        [](napi_env, void*, void* hint) { delete static_cast<std::shared_ptr<SlotRing>*>(hint); }, hold, &value);
    if (status != napi_ok) {
      delete hold;
      throw Napi::Error::New(env,
                             "this JavaScript runtime does not allow external ArrayBuffers, which the Loader's "
                             "zero-copy batches need");
    }
    Napi::ArrayBuffer buffer(env, value);
    slot_buffers_[slot] = Napi::Persistent(buffer);
    return buffer;
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const LoaderStats s = engine_->Stats();
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
      Napi::Object k = Napi::Object::New(env);
      k.Set("index", static_cast<double>(s.skipped[i].source));
      k.Set("code", ErrorCodeName(s.skipped[i].code));
      k.Set("message", s.skipped[i].message);
      skipped.Set(static_cast<uint32_t>(i), k);
    }
    o.Set("skipped", skipped);
    Napi::Object ring = Napi::Object::New(env);
    ring.Set("slots", static_cast<double>(s.slots));
    ring.Set("free", static_cast<double>(s.slots_free));
    ring.Set("held", static_cast<double>(s.slots_held));
    ring.Set("slotBytes", static_cast<double>(engine_->ring()->slot_bytes()));
    ring.Set("memory", engine_->ring()->memory_kind());
    o.Set("ring", ring);
    o.Set("threads", static_cast<double>(s.threads));
    return o;
  }

  // { kind: 'cpu' | 'cuda', reason }: where augment + normalize run, and why.
  Napi::Value Device(const Napi::CallbackInfo& info) {
    const DeviceChoice& d = engine_->device();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("kind", d.cuda ? "cuda" : "cpu");
    o.Set("reason", d.reason);
    return o;
  }

  Napi::Value Length(const Napi::CallbackInfo& info) {
    const LengthInfo l = engine_->Length();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("known", l.known);
    o.Set("batches", static_cast<double>(l.batches));
    o.Set("good", static_cast<double>(l.good));
    o.Set("failed", static_cast<double>(l.failed));
    return o;
  }

  class CloseWorker : public Napi::AsyncWorker {
   public:
    CloseWorker(Napi::Object receiver, NativeLoader* wrap)
        : Napi::AsyncWorker(receiver.Env(), "xfer.Loader.close"),
          deferred_(Napi::Promise::Deferred::New(receiver.Env())),
          receiver_(Napi::Persistent(receiver)),
          wrap_(wrap) {}
    Napi::Promise Promise() const { return deferred_.Promise(); }

   protected:
    void Execute() override { wrap_->engine_->Close(); }
    void OnOK() override {
      wrap_->FinishClose();
      deferred_.Resolve(Env().Undefined());
    }
    void OnError(const Napi::Error& e) override {
      wrap_->FinishClose();
      deferred_.Reject(e.Value());
    }

   private:
    Napi::Promise::Deferred deferred_;
    Napi::ObjectReference receiver_;  // keeps the wrap alive until OnOK
    NativeLoader* wrap_;
  };

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (closing_) {
      Napi::Promise::Deferred d = Napi::Promise::Deferred::New(env);
      d.Resolve(env.Undefined());
      return d.Promise();
    }
    closing_ = true;
    engine_->CancelRequest();
    // Nothing is produced from here on, so batches still held keep their data.
    engine_->Stop();
    if (has_pending_) {
      has_pending_ = false;
      SetRef(env, false);
      NextResult r;
      r.kind = NextResult::Kind::kClosed;
      Napi::Promise::Deferred deferred = *pending_;
      pending_.reset();
      deferred.Resolve(ToJs(env, r));
    }
    // Joining waits for the image each thread is on: do it off the JS thread.
    auto* worker = new CloseWorker(info.This().As<Napi::Object>(), this);
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  }

  std::vector<Napi::ObjectReference> keep_alive_;
  std::vector<Napi::Reference<Napi::ArrayBuffer>> slot_buffers_;
  std::unique_ptr<LoaderEngine> engine_;
  napi_threadsafe_function tsfn_ = nullptr;
  Link* link_ = nullptr;
  bool refed_ = false;
  bool hook_added_ = false;
  bool closing_ = false;
  std::optional<Napi::Promise::Deferred> pending_;
  napi_env env_ = nullptr;
  uint64_t pending_id_ = 0;
  uint64_t next_id_ = 0;
  bool has_pending_ = false;
};

}  // namespace

Napi::Function DefineLoader(Napi::Env env) { return NativeLoader::Define(env); }

}  // namespace xfer
