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

#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "../loader/loader.h"
#include "exports.h"
#include "loader_config.h"
#include "loader_results.h"
#include "options.h"

namespace xfer {
namespace {

// Slots are int indices; the ring is far smaller.
constexpr double kMaxSlot = std::numeric_limits<int>::max();

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
    LoaderConfig config = ReadLoaderConfig(info, keep_alive_);
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
      deferred.Resolve(NextResultToJs(env, p->result));
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
    const double epoch = IntegerArg(info, 0, 0, kMaxSafeInteger, "epoch");
    return Napi::Number::New(info.Env(), static_cast<double>(engine_->StartEpoch(static_cast<uint64_t>(epoch))));
  }

  Napi::Value Next(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const double generation = IntegerArg(info, 0, 0, kMaxSafeInteger, "generation");
    Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
    if (closing_) {
      NextResult r;
      r.kind = NextResult::Kind::kClosed;
      deferred.Resolve(NextResultToJs(env, r));
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
      deferred.Resolve(NextResultToJs(env, *now));
    } else {
      pending_ = deferred;
      pending_id_ = id;
      has_pending_ = true;
      SetRef(env, true);
    }
    return deferred.Promise();
  }

  Napi::Value Release(const Napi::CallbackInfo& info) {
    const double slot = IntegerArg(info, 0, 0, kMaxSlot, "slot");
    return Napi::Boolean::New(info.Env(), engine_->Release(static_cast<int>(slot)));
  }

  // The whole slot as an ArrayBuffer. The memory stays alive (shared with
  // the loader) until this buffer is collected. One buffer per slot, kept
  // here: V8 must never see two ArrayBuffers over the same memory.
  Napi::Value SlotBuffer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::shared_ptr<SlotRing> ring = engine_->ring();
    const size_t slot = static_cast<size_t>(IntegerArg(info, 0, 0, kMaxSlot, "slot"));
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
    return StatsToJs(info.Env(), engine_->Stats(), *engine_->ring());
  }

  Napi::Value Device(const Napi::CallbackInfo& info) { return DeviceChoiceToJs(info.Env(), engine_->device()); }

  Napi::Value Length(const Napi::CallbackInfo& info) { return LengthToJs(info.Env(), engine_->Length()); }

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
      deferred.Resolve(NextResultToJs(env, r));
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
