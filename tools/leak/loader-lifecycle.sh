#!/usr/bin/env bash
# Leak check over a Loader's lifecycle (create, two epochs, early break, close) and the one-shot
# calls, under LeakSanitizer: the addon's ASan + UBSan build (build-asan), with the sanitizer
# runtime preloaded into node.
#
# Why this answer can be trusted: lifecycle.mjs exits naturally, and on a natural exit node
# disposes its environment and isolate and runs every pending finalizer, so node itself leaves
# nothing behind and any block LSan still finds unreachable was really lost. The positive
# control proves the setup sees a leak: a tiny Node-API module (control/leak_control.c), built
# the same way, drops 4096 bytes in a second run, and that run must report them.
set -euo pipefail
shopt -s nullglob
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

(cd packages/native-preproc && npx cmake-js compile --out build-asan --CDXFER_SANITIZE=ON >/dev/null)
source tools/sanitize/runtimes.sh
cc="${CC:-cc}"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
"$cc" -shared -fPIC -g -fsanitize=address -fno-omit-frame-pointer -I node_modules/node-api-headers/include \
  tools/leak/control/leak_control.c -o "$logs/leak_control.node"

run() {
  local label="$1"
  shift
  # fast_unwind_on_malloc=0: node's frames have no frame pointers, and an allocation that node
  # makes for the addon (a reference, a buffer) belongs to the addon only if its stack is
  # followed back into the addon. Each frame names its module (<...>), which is what
  # lsan-report.mjs attributes a leak by.
  LD_PRELOAD="$asan $ubsan" XFER_NATIVE_BUILD_DIR=build-asan \
    ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=64:protect_shadow_gap=0:log_path=$logs/$label:stack_trace_format='    #%n %p %F %L <%m>'" \
    LSAN_OPTIONS="exitcode=0" \
    node --expose-gc tools/leak/lifecycle.mjs "$@"
}

run check
node tools/leak/lsan-report.mjs check xfer_native.node "$logs"/check.* && check=0 || check=1

run control --control "$logs/leak_control.node"
if node tools/leak/lsan-report.mjs control leak_control.node "$logs"/control.*; then
  echo "control: the deliberate leak was not reported, so the check proves nothing" >&2
  control=1
else
  echo "control: the deliberate leak was reported, as it must be"
  control=0
fi

if [ $check -eq 0 ] && [ $control -eq 0 ]; then echo "leak check: pass"; else echo "leak check: FAIL"; fi
[ $check -eq 0 ] && [ $control -eq 0 ]
