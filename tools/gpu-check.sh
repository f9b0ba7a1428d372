#!/usr/bin/env bash
# The CUDA path of @xfer/native-preproc, checked and measured on a machine
# with an NVIDIA GPU, in one go (about 2-5 minutes with 16 cores):
#   1. builds the addon with CUDA for this GPU into
#      packages/native-preproc/build-gpu-check/ (build/ is left alone) and the TS;
#   2. runs tools/gpu-check.mjs: GPU against CPU output on ../shared/bench-corpus
#      (max abs diff per fill mode), GPU and CPU Loader timings at batch 32 and
#      256, 150x150 and 224x224, H2D bandwidth from the pinned ring against a
#      plain cudaMemcpy, and the kernel against a device-to-device copy.
# It prints markdown tables for the README. Needs the repo installed (npm ci)
# and nvcc. Without a GPU it prints "no CUDA device: <reason>" and exits 0.
#
#   bash tools/gpu-check.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

# Before a build that would take minutes: is there a GPU at all?
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "no CUDA device: nvidia-smi is not installed (no NVIDIA driver on this machine)"
  exit 0
fi
if ! gpus="$(nvidia-smi -L 2>&1)" || ! grep -q '^GPU ' <<<"$gpus"; then
  echo "no CUDA device: nvidia-smi -L lists none (${gpus//$'\n'/ })"
  exit 0
fi

cd "$root/packages/native-preproc"
# 'native': only this GPU's architecture, so nvcc compiles once.
CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" npx cmake-js compile --out build-gpu-check --CDCMAKE_CUDA_ARCHITECTURES=native
npx tsc -b
XFER_NATIVE_BUILD_DIR=build-gpu-check exec node "$root/tools/gpu-check.mjs" --command "bash tools/gpu-check.sh"
