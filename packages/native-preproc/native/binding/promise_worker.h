// The shape every one-shot binding call shares: work on a libuv pool thread,
// then a promise settled on the JS thread.
#pragma once

#include <napi.h>

namespace xfer {

// Execute() runs off the JS thread; Result() then builds the resolved value.
// An error thrown by either (or set with SetError) rejects the promise.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, const char* name)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}

  // Queues the worker, which deletes itself once settled, and returns its promise.
  Napi::Promise QueueForPromise() {
    Napi::Promise promise = deferred_.Promise();
    Queue();
    return promise;
  }

 protected:
  virtual Napi::Value Result(Napi::Env env) = 0;

 private:
  void OnOK() final {
    try {
      deferred_.Resolve(Result(Env()));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }
  void OnError(const Napi::Error& e) final { deferred_.Reject(e.Value()); }

  Napi::Promise::Deferred deferred_;
};

}  // namespace xfer
