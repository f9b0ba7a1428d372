#include "simd_dispatch.h"

#include <cstdlib>
#include <cstring>

namespace xfer {

bool HaveAvx2() {
#if XFER_HAS_AVX2_KERNELS
  static const bool avx2 = [] {
    // XFER_PORTABLE_KERNELS=1 runs the portable loops instead: the same bits,
    // slower. It is how the tests compare the two on one machine.
    const char* portable = std::getenv("XFER_PORTABLE_KERNELS");
    if (portable != nullptr && portable[0] != '\0' && std::strcmp(portable, "0") != 0) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return avx2;
#else
  return false;
#endif
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
