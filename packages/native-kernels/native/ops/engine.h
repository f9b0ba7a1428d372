// The process-wide oneDNN CPU engine and stream, and a cache of ready primitives.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace xk {

dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();

/**
 * What convolutions and matmuls compute in. Mixed bfloat16 (Keras' mixed_bfloat16 policy) reads
 * activations and weights as bf16 and accumulates and writes float32, so every tensor outside the
 * primitive stays float32.
 */
enum class Precision { kFloat32, kMixedBfloat16 };

Precision& compute_precision();

/** The type convolutions and matmuls read activations and weights in under the current precision. */
dnnl::memory::data_type compute_type();

/**
 * Builds a primitive (constructed as T(args..., type)) that reads `type`; where oneDNN has no
 * bf16 implementation for its shape, the float32 one.
 */
template <typename T, typename... Args>
std::unique_ptr<T> make_in(dnnl::memory::data_type type, const Args&... args) {
  constexpr auto f32 = dnnl::memory::data_type::f32;
  if (type == f32) return std::make_unique<T>(args..., f32);
  try {
    return std::make_unique<T>(args..., type);
  } catch (const dnnl::error&) {
    return std::make_unique<T>(args..., f32);
  }
}

/** True when oneDNN's ISA on this CPU computes bf16 natively (AVX512-BF16 or AMX). */
bool bf16_supported();

/**
 * A float32 input as a primitive reads it: the caller's array as it is, or converted (to bf16)
 * into one of two process-wide scratch buffers; `slot` keeps a primitive's two converted inputs
 * apart. Calls come one at a time from the JS thread, so primitives share the buffers.
 */
class InputBridge {
 public:
  InputBridge(const dnnl::memory::desc& user, const dnnl::memory::desc& chosen, int slot);
  dnnl::memory in(const float* data);

 private:
  dnnl::memory::desc user_;
  dnnl::memory::desc internal_;
  dnnl::reorder reorder_;
  int slot_;
  bool needed_;
};

/** One cached primitive and what it was created for, for diagnostics. */
struct CachedPrimitive {
  std::string kind;
  std::string key;
  std::string impl;
};

/**
 * Primitive descriptors cost a JIT compile; training calls the same shapes every step, so each
 * operation keeps its ready state here under a key built from its geometry. Calls come from the
 * JS thread only, so there is no locking.
 */
class PrimitiveCache {
 public:
  template <typename T>
  T& get(const std::string& key, const std::function<std::unique_ptr<T>()>& make) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      if (entries_.size() >= kCapacity) entries_.clear();
      auto made = make();
      T* raw = made.get();
      entries_.emplace(key, Entry{std::shared_ptr<void>(std::move(made)), &T::describe, raw});
      return *raw;
    }
    return *static_cast<T*>(it->second.ptr.get());
  }

  std::vector<CachedPrimitive> list() const;
  void clear() { entries_.clear(); }

 private:
  // Enough for every shape of an Xception step several times over; a model that exceeds it
  // just rebuilds its primitives.
  static constexpr std::size_t kCapacity = 1024;
  struct Entry {
    std::shared_ptr<void> ptr;
    CachedPrimitive (*describe)(const void*);
    const void* raw;
  };
  std::unordered_map<std::string, Entry> entries_;
};

PrimitiveCache& primitive_cache();


}  // namespace xk
