// Function multiversioning for the hot loops. The .node file may be cached by
// nx and copied between machines, so the default build cannot use
// -march=native; instead GCC/Clang emit an AVX2, an SSE4.2 and a baseline
// clone and pick one at load time (ifunc). All clones do the same IEEE float
// operations (contraction is off in CMakeLists), so results are bit-identical
// across CPUs.
#pragma once

#if defined(__x86_64__) && !defined(XFER_NO_TARGET_CLONES) && \
    ((defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8) || (defined(__clang__) && __clang_major__ >= 14)) && \
    defined(__linux__)
#define XFER_TARGET_CLONES __attribute__((target_clones("avx2", "sse4.2", "default")))
#define XFER_HAS_TARGET_CLONES 1
#else
#define XFER_TARGET_CLONES
#define XFER_HAS_TARGET_CLONES 0
#endif

// Hand-written AVX2 kernels, chosen at run time with HaveAvx2(), and the
// AVX-512 variant of the rotation (HaveAvx512()). Unlike the clones they need
// no ifunc, so every x86-64 GCC or Clang build has them, the fuzz build
// included.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define XFER_HAS_AVX2_KERNELS 1
#define XFER_AVX2 __attribute__((target("avx2")))
#define XFER_AVX512 __attribute__((target("avx2,avx512f,avx512dq,avx512vl,avx512bw,avx512vbmi")))
#else
#define XFER_HAS_AVX2_KERNELS 0
#define XFER_AVX2
#define XFER_AVX512
#endif

namespace xfer {

// True when this build has the AVX2 kernels, the CPU runs them and
// XFER_KERNELS (below) does not turn them off.
bool HaveAvx2();

// True when, on top of HaveAvx2(), the CPU has AVX-512 F/DQ/VL/BW/VBMI
// (Ice Lake, Zen 4 and later) and XFER_KERNELS allows it.
bool HaveAvx512();

// Which hand-written kernels run: "avx512", "avx2" or "portable". All give
// the same bits. XFER_KERNELS=avx2 or =portable caps the level, which is how
// the tests compare them on one machine.
const char* KernelLevel();

// The SIMD level this build's loops run at on this CPU: "avx2", "sse4.2",
// "sse2", "neon" or "none".
const char* SimdLevel();

}  // namespace xfer
