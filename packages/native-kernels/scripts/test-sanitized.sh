#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UBSan into build-asan/ (the normal build/ is left
# alone) and runs the vitest suite against that build.
#
# Node and libdnnl are not instrumented, so the sanitizer runtimes are preloaded; LeakSanitizer
# is off because Node deliberately leaks at exit. oneDNN's JIT-generated code is not
# instrumented either: ASan checks the addon's own loops and its calls into oneDNN.
# Extra arguments go to vitest, e.g. scripts/test-sanitized.sh test/conv2d.test.ts
set -euo pipefail
cd "$(dirname "$0")/.."

npx cmake-js compile --out build-asan --CDXFER_SANITIZE=ON

source ../../tools/sanitize/runtimes.sh

export XFER_NATIVE_BUILD_DIR=build-asan
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
LD_PRELOAD="$asan $ubsan" exec npx vitest run "$@"
