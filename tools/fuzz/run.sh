#!/usr/bin/env bash
# Runs a libFuzzer campaign: tools/fuzz/run.sh <decode|decode_resize|augment|all> <seconds>
# (seconds per harness). Builds the harnesses and their seeds first. The
# growing corpus stays in packages/native-preproc/build-fuzz/corpus/<harness>
# between runs; a crashing input lands in build-fuzz/artifacts/<harness>/ and
# replays with: build-fuzz/<harness>_fuzzer <file>. Each harness's log is
# build-fuzz/logs/<harness>.log. Exits 1 if any harness found a crash.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/packages/native-preproc/build-fuzz"
harnesses=(decode decode_resize augment)

usage() { echo "usage: tools/fuzz/run.sh <${harnesses[*]// /|}|all> <seconds>" >&2; exit 2; }
[ $# -eq 2 ] || usage
[[ "$2" =~ ^[1-9][0-9]*$ ]] || usage
case "$1" in
  all) selected=("${harnesses[@]}") ;;
  decode | decode_resize | augment) selected=("$1") ;;
  *) usage ;;
esac

"$root/tools/fuzz/build.sh" >/dev/null
(cd "$root" && node tools/fuzz/seeds.mjs "$out/seeds")

# Sanitizer findings must abort (libFuzzer then writes the crash file);
# leaks count too, since the ops allocate per image.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

found=0
for h in "${selected[@]}"; do
  mkdir -p "$out/corpus/$h" "$out/artifacts/$h" "$out/logs"
  log="$out/logs/$h.log"
  echo "fuzz: $h for $2 s"
  # -rss_limit_mb and -timeout make a memory or time bomb a finding too;
  # -max_len covers the seeds, which are all small.
  if "$out/${h}_fuzzer" "$out/corpus/$h" "$out/seeds/$h" -max_total_time="$2" -timeout=10 -rss_limit_mb=2048 \
      -max_len=131072 -print_final_stats=1 -artifact_prefix="$out/artifacts/$h/" >"$log" 2>&1; then
    status=ok
  else
    status=CRASH
    found=1
  fi
  execs=$(grep -oP 'stat::number_of_executed_units:\s*\K\d+' "$log" | tail -1 || true)
  echo "fuzz: $h $status, ${execs:-?} executions, corpus $(ls "$out/corpus/$h" | wc -l) files (log: $log)"
  if [ "$status" = CRASH ]; then grep -m1 -E 'ERROR:|runtime error|fuzz invariant|deadly signal|Test unit written' "$log" | sed 's/^/  /' || true; fi
done
exit $found
