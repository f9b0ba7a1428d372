#!/usr/bin/env bash
# Takes the README's TensorBoard screenshots: a short demo run with --tensorboard, TensorBoard 2.21
# from the reference venv (tools/reference/venv.sh) on a loopback port over its logs, and Debian's
# headless chromium on the Scalars page (epoch loss and accuracy, train and validation) and the
# Images page (the sample and augmentation grids). A docs tool: CI does not run it.
#
#   bash tools/tensorboard/screenshot.sh [out-dir]    writes tensorboard_scalars.png and
#                                                     tensorboard_images.png (default docs/images)
#
# Needs the built CLI (npx nx run-many -t build) and chromium (apt-get install chromium). About
# 1 minute, plus 2 the first time to pretrain the demo base.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "${1:-$root/docs/images}")
work=$(mktemp -d)
tensorboard_pid=
cleanup() {
  if [ -n "$tensorboard_pid" ]; then kill "$tensorboard_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

python=$(bash "$root/tools/reference/venv.sh")
# The quick start's demo with more epochs than its 3 + 1, so the curves have a shape.
# Its output, the demo's deliberately broken files among it, goes to a log shown on failure.
if ! node "$root/packages/cli/bin/xfer.js" train --epochs 8 --fine-tune-epochs 4 --tensorboard --tensorboard-update-freq 5 --out "$work/runs" >"$work/train.log" 2>&1; then
  tail -n 20 "$work/train.log" >&2
  exit 1
fi
tail -n 1 "$work/train.log"

# --port 0 takes a free port, which TensorBoard prints once it listens; --load_fast=false, the
# Python reader, as the Rust data server is an optional download. From $work, the page names the
# logdir runs/, as the README's command does.
(cd "$work" && exec env TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES='' "$python" -m tensorboard.main --logdir runs --host 127.0.0.1 --port 0 \
  --load_fast=false >tensorboard.log 2>&1) &
tensorboard_pid=$!

# TensorBoard loads the logdir run by run after it starts listening: wait for a tag of each run.
loaded() {
  local url=$1 scalars images
  scalars=$(curl -sf "${url}data/plugin/scalars/tags") || return 1
  images=$(curl -sf "${url}data/plugin/images/tags") || return 1
  [[ $scalars == *evaluation_loss_vs_iterations* && $images == *augmentation* && $images == *confusion_matrix* ]]
}
url=
for _ in $(seq 240); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$work/tensorboard.log" | head -n 1 || true)
  if [ -n "$url" ] && loaded "$url"; then break; fi
  url=
  sleep 0.5
done
if [ -z "$url" ]; then
  echo "TensorBoard did not load the run's logs in 2 minutes:" >&2
  tail -n 20 "$work/tensorboard.log" >&2
  exit 1
fi

mkdir -p "$out"
# shoot <page and its URL state> <file>. TensorBoard renders after it fetches its data: the
# virtual time budget lets it finish before the picture is taken. --no-sandbox: chromium refuses
# to run as root with its sandbox.
shoot() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,900 \
    --virtual-time-budget=20000 --screenshot="$work/$2" "$url#$1" 2>/dev/null
  # A palette PNG (sharp's libimagequant) keeps a UI screenshot's look at about half the bytes.
  (cd "$root" && node -e "require('sharp')(process.argv[1]).png({ palette: true, effort: 10 }).toFile(process.argv[2])" "$work/$2" "$out/$2")
  echo "wrote $out/$2 ($(stat -c %s "$out/$2") bytes)"
}
shoot 'scalars&tagFilter=epoch_(accuracy%7Closs)&_smoothingWeight=0' tensorboard_scalars.png
shoot 'images&tagFilter=samples%7Caugmentation' tensorboard_images.png
