#include "simd_dispatch.h"

namespace xfer {

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
