#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UBSan into build-asan/ (the normal
# build/ is left alone) and runs the vitest suite against that build.
#
# Node itself is not instrumented, so the sanitizer runtimes are preloaded;
# LeakSanitizer is off because Node deliberately leaks at exit.
# Extra arguments go to vitest, e.g. scripts/test-sanitized.sh test/errors.test.ts
set -euo pipefail
cd "$(dirname "$0")/.."

npx cmake-js compile --out build-asan --CDXFER_SANITIZE=ON

source ../../tools/sanitize/runtimes.sh

export XFER_NATIVE_BUILD_DIR=build-asan
# Tests that measure the process's memory (RSS) skip themselves: ASan's shadow
# memory and allocator quarantine change it.
export XFER_SANITIZED=1
# protect_shadow_gap=0: the CUDA driver maps memory where ASan's shadow gap
# would be; harmless without a GPU.
export ASAN_OPTIONS="detect_leaks=0:protect_shadow_gap=0:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
LD_PRELOAD="$asan $ubsan" exec npx vitest run "$@"
