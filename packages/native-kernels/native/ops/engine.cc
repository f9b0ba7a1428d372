#include "engine.h"

namespace xk {

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  static dnnl::stream stream(cpu_engine());
  return stream;
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
