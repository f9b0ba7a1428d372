#!/usr/bin/env bash
# Builds the libFuzzer harnesses (packages/native-preproc/fuzz) with clang,
# ASan and UBSan into packages/native-preproc/build-fuzz/. No build type: the harness flags
# (-O1 -g, asserts on) are the only ones.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pkg="$root/packages/native-preproc"

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found (Debian/Ubuntu: apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
cmake -S "$pkg/fuzz" -B "$pkg/build-fuzz" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE= >/dev/null
cmake --build "$pkg/build-fuzz" -j2
