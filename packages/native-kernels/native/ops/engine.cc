#include "engine.h"

#include <cstddef>
#include <vector>

namespace xk {

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  static dnnl::stream stream(cpu_engine());
  return stream;
}

Precision& compute_precision() {
  static Precision precision = Precision::kFloat32;
  return precision;
}

dnnl::memory::data_type compute_type() {
  return compute_precision() == Precision::kMixedBfloat16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
}

bool bf16_supported() {
  const auto isa = dnnl::get_effective_cpu_isa();
  return isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
}

namespace {

void* shared_scratch(int slot, std::size_t bytes) {
  static std::vector<std::byte> buffers[2];
  auto& b = buffers[slot];
  if (b.size() < bytes) b.resize(bytes);
  return b.data();
}

}  // namespace

InputBridge::InputBridge(const dnnl::memory::desc& user, const dnnl::memory::desc& chosen, int slot)
    : user_(user), internal_(chosen), slot_(slot), needed_(user != chosen) {
  if (needed_) reorder_ = dnnl::reorder(dnnl::memory(user_, cpu_engine(), nullptr), dnnl::memory(internal_, cpu_engine(), nullptr));
}

dnnl::memory InputBridge::in(const float* data) {
  dnnl::memory user(user_, cpu_engine(), const_cast<float*>(data));
  if (!needed_) return user;
  dnnl::memory converted(internal_, cpu_engine(), shared_scratch(slot_, internal_.get_size()));
  reorder_.execute(cpu_stream(), user, converted);
  return converted;
}

PrimitiveCache& primitive_cache() {
  static PrimitiveCache cache;
  return cache;
}

std::vector<CachedPrimitive> PrimitiveCache::list() const {
  std::vector<CachedPrimitive> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) {
    CachedPrimitive p = entry.describe(entry.raw);
    p.key = key;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace xk
