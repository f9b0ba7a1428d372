#!/usr/bin/env bash
# CI's fuzz step: builds the harnesses under ASan + UBSan, runs each for 60 s
# from fresh seeds, and writes reports/fuzz.json (vitest-shaped: one test per
# harness, failed if its fuzzer found a crash). About 4 minutes on 2 cores.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
seconds="${XFER_FUZZ_SECONDS:-60}"
logs=packages/native-preproc/build-fuzz/logs

# Logs from an earlier run must not stand in for a build that now fails.
rm -rf "$logs"
tools/fuzz/run.sh all "$seconds"
node tools/fuzz/report.mjs "$logs" "$seconds" reports/fuzz.json decode decode_resize augment
