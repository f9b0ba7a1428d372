#include "simd_dispatch.h"

#include <cstdlib>
#include <cstring>

namespace xfer {

namespace {

enum class Level { kPortable, kAvx2, kAvx512 };

Level DetectLevel() {
#if XFER_HAS_AVX2_KERNELS
  __builtin_cpu_init();
  Level level = Level::kPortable;
  if (__builtin_cpu_supports("avx2")) {
    level = Level::kAvx2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vbmi")) {
      level = Level::kAvx512;
    }
  }
  const char* cap = std::getenv("XFER_KERNELS");
  if (cap != nullptr && std::strcmp(cap, "portable") == 0) return Level::kPortable;
  if (cap != nullptr && std::strcmp(cap, "avx2") == 0 && level == Level::kAvx512) return Level::kAvx2;
  return level;
#else
  return Level::kPortable;
#endif
}

Level CachedLevel() {
  static const Level level = DetectLevel();
  return level;
}

}  // namespace

bool HaveAvx2() { return CachedLevel() != Level::kPortable; }

bool HaveAvx512() { return CachedLevel() == Level::kAvx512; }

const char* KernelLevel() {
  switch (CachedLevel()) {
    case Level::kAvx512: return "avx512";
    case Level::kAvx2: return "avx2";
    case Level::kPortable: break;
  }
  return "portable";
}

const char* SimdLevel() {
#if defined(__x86_64__) || defined(_M_X64)
#if XFER_HAS_TARGET_CLONES
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return "avx2";
  if (__builtin_cpu_supports("sse4.2")) return "sse4.2";
#endif
  return "sse2";  // part of the x86-64 baseline
#elif defined(__aarch64__) || defined(_M_ARM64)
  return "neon";  // part of the AArch64 baseline
#else
  return "none";
#endif
}

}  // namespace xfer
