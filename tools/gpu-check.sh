#!/usr/bin/env bash
# The GPU check: one command on a machine with an NVIDIA GPU, planned for at most 8 minutes,
# printing markdown tables for the README and writing each row's output (and JSON where the tool
# gives it) into ${OUT:-reports}/gpu-check/. Each row runs in its own process with its own time
# limit; a row that fails prints why, and the others still run:
#   1. the device (nvidia-smi);
#   2. the CUDA preprocessing path: GPU against CPU parity and timings (tools/gpu-check.mjs);
#   3. training on webgpu against cpu: 3 Adam steps from the same weights (tools/gpu/backend_parity.mjs);
#   4. an Xception 150x150 batch-32 step: xfer on webgpu beside PyTorch CUDA, fp32 and autocast
#      bf16 (tools/bench/train_step.mjs);
#   5. a short demo `xfer train --backend webgpu`, with its test accuracy.
# On a bare machine it runs from the GPU bundle (tools/gpu/run.sh unpacks it and builds
# native-preproc with CUDA there); in a clone set up with npm ci, it builds into build-gpu-check.
# Without a GPU it says why and exits 0.
#
#   bash tools/gpu-check.sh
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

# No Node here: a bare GPU machine, which has the bundle.
if [ -z "${XFER_GPU_RUN:-}" ] && ! command -v node >/dev/null; then
  exec bash "$root/tools/gpu/run.sh" bash tools/gpu-check.sh
fi

if ! gpus="$(nvidia-smi -L 2>&1)" || ! grep -q '^GPU ' <<<"$gpus"; then
  echo "no CUDA device: $(command -v nvidia-smi >/dev/null && echo "nvidia-smi -L lists none (${gpus//$'\n'/ })" || echo 'nvidia-smi is not installed (no NVIDIA driver on this machine)')"
  exit 0
fi

if [ -z "${XFER_GPU_RUN:-}" ]; then
  # A clone with npm ci: 'native' builds for this GPU only, so nvcc compiles once.
  (cd "$root/packages/native-preproc" &&
    CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" npx cmake-js compile --out build-gpu-check --CDCMAKE_CUDA_ARCHITECTURES=native >/dev/null &&
    npx tsc -b) || { echo "the CUDA build of native-preproc failed" >&2; exit 1; }
  export XFER_NATIVE_BUILD_DIR=build-gpu-check
fi

out="${OUT:-$root/reports}/gpu-check"
mkdir -p "$out"
corpus="$root/../shared/bench-corpus"
[ -f "$corpus/corpus.json" ] || corpus="$root/.gpu-bundle/corpus"
python="${XFER_GPU_PYTHON:-python3}"
cd "$root"

# row <name> <seconds> <command...>: its stdout is the row's table; on failure, the reason too.
row() {
  local name="$1" limit="$2" rc=0 why=''
  shift 2
  echo
  echo "### $name"
  echo
  timeout "$limit" "$@" >"$out/$name.md" 2>"$out/$name.log" || rc=$?
  cat "$out/$name.md"
  if [ "$rc" -ne 0 ]; then
    why="exit $rc"
    [ "$rc" -eq 124 ] && why="over its ${limit} s"
    why="not run to the end ($why): $(grep -v '^\s*$' "$out/$name.log" | tail -1)"
    echo "$why"
  fi
  printf '%s\t%s\t%s\n' "$name" "$rc" "$why" >>"$out/rows.tsv"
}

rm -f "$out/rows.tsv"
echo "## GPU check, $(date -u +%F), \`bash tools/gpu-check.sh\`"
row device 20 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv
row cuda-preprocessing 120 node tools/gpu-check.mjs --corpus "$corpus" --command "bash tools/gpu-check.sh"
row webgpu-parity 60 node tools/gpu/backend_parity.mjs --header --json-out "$out/webgpu-parity.json"
row train-step 150 node tools/bench/train_step.mjs --peers webgpu,pytorch-cuda,pytorch-cuda-bf16 --steps 4 \
  --python "$python" --json-out "$out/train-step.json"
row demo-train-webgpu 90 bash -c 'XFER_CACHE_DIR="$1/cache" node packages/cli/bin/xfer.js train --backend webgpu \
  --demo-per-class 150 --epochs 2 --fine-tune-epochs 1 --out "$1/runs" --quiet' _ "$out"

# Every row in one JSON file: its status, its table, and the JSON its tool wrote, if any.
node -e '
  const fs = require("fs");
  const [out, date] = process.argv.slice(1);
  const rows = fs.readFileSync(`${out}/rows.tsv`, "utf8").trim().split("\n").map((line) => {
    const [name, exit, reason] = line.split("\t");
    const json = fs.existsSync(`${out}/${name}.json`) ? JSON.parse(fs.readFileSync(`${out}/${name}.json`, "utf8")) : undefined;
    return { name, ok: exit === "0", exit: Number(exit), ...(reason ? { reason } : {}), table: fs.readFileSync(`${out}/${name}.md`, "utf8"), ...(json ? { json } : {}) };
  });
  fs.writeFileSync(`${out}/gpu-check.json`, JSON.stringify({ date, command: "bash tools/gpu-check.sh", rows }, null, 2) + "\n");
' "$out" "$(date -u +%FT%TZ)"
echo
echo "written: $out/gpu-check.json"
