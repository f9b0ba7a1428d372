#!/usr/bin/env bash
# CI's packaging check: builds the prebuilt binaries, packs the four packages, and installs them as
# a user would, in a temporary folder outside the repository: all four in one project, the example
# (examples/tiny-classifier, @xfer/native-preproc alone), the example again in a root file system
# without libjpeg-turbo, libspng or zlib, a global `xfer`, and a build from source. Each check is
# one test in reports/pack-install.json, which tools/ci/summarize-vitest.mjs counts with the rest.
# Needs the packages built (npx nx run-many -t build), the npm registry, the Debian mirror (the
# libspng source package) and root (chroot). About 1.5 minutes on 2 cores, most of it the
# prebuilt native-preproc.
#
#   bash tools/ci/pack-install.sh
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf --one-file-system "$work"' EXIT
mkdir -p "$work/logs" "$work/packs"
packs="$work/packs"
export XFER_CACHE_DIR="$work/cache" npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
TINY_TRAIN=(train --demo-per-class 16 --epochs 1 --fine-tune-epochs 0 --weights none --batch-size 8)

# check <title> <command...>: one test; the command's output is its log, its exit status the verdict.
n=0
check() {
  local title="$1" status=passed
  shift
  n=$((n + 1))
  # Not in a tested context (`&&`, `if`), where bash would ignore the subshell's set -e.
  (set -e; "$@") >"$work/logs/$n.log" 2>&1
  [ $? -eq 0 ] || status=failed
  printf '%s\t%s\t%s\n' "$status" "$title" "$work/logs/$n.log" >>"$work/checks.tsv"
  echo "pack-install: $status: $title"
}

pack() {
  npm pack --pack-destination "$packs" -w packages/native-preproc -w packages/native-kernels -w packages/trainer -w packages/cli
  tar -tzf "$packs/xfer-native-preproc-0.1.0.tgz" | grep -x 'package/prebuilds/linux-x64/xfer_native.node'
  tar -tzf "$packs/xfer-native-kernels-0.1.0.tgz" | grep -x 'package/prebuilds/linux-x64/xfer_kernels.node'
}

project_install() {
  mkdir "$work/project"
  cd "$work/project"
  echo '{ "name": "xfer-pack-check", "private": true }' >package.json
  npm install "$packs"/*.tgz
  # The workspace dependencies resolved to the packed packages: one copy each, none nested.
  for p in cli trainer native-preproc native-kernels; do [ -f "node_modules/@xfer/$p/package.json" ]; done
  ! find node_modules/@xfer -path '*/node_modules/@xfer/*/node_modules/@xfer/*' | grep .
}

prebuilt_addons_load() {
  cd "$work/project"
  # npm runs no dependency's install script unless allowed, so nothing was built: the prebuilt loads.
  [ ! -e node_modules/@xfer/native-preproc/build ]
  [ ! -e node_modules/@xfer/native-kernels/build ]
  node --input-type=module -e "
    import { info } from '@xfer/native-preproc';
    import * as kernels from '@xfer/native-kernels';
    console.log(JSON.stringify(info()), JSON.stringify(kernels.info()));"
}

project_train() {
  cd "$work/project"
  npx xfer --help
  npx xfer "${TINY_TRAIN[@]}" --out "$work/runs" | tee "$work/train.out"
  grep 'oneDNN native kernels from @xfer/native-kernels' "$work/train.out"
}

demo_images() { echo "$work"/cache/datasets/demo-*/PetImages; }

example() {
  cp -r examples/tiny-classifier "$work/example"
  cd "$work/example"
  npm install "$packs/xfer-native-preproc-0.1.0.tgz"
  node train.mjs "$(demo_images)" 2
}

example_without_codecs() {
  bash "$root/tools/ci/codec-free-root.sh" "$work" node "$work/example/train.mjs" "$(demo_images)" 1
  # The control: the monorepo's build, which links the system's codecs, must not load there.
  cp packages/native-preproc/build/Release/xfer_native.node "$work/system-linked.node"
  ! bash "$root/tools/ci/codec-free-root.sh" "$work" node -e "require('$work/system-linked.node')"
}

global_xfer() {
  # The tarballs stand in for the registry: named together, they resolve each other.
  npm install -g --prefix "$work/global" "$packs"/*.tgz
  cd "$work"
  local xfer="$work/global/bin/xfer"
  "$xfer" --help
  "$xfer" "${TINY_TRAIN[@]}" --out "$work/global-runs" | tee "$work/global-train.out"
  grep 'oneDNN native kernels from @xfer/native-kernels' "$work/global-train.out"
  "$xfer" predict "$(ls -d "$work"/global-runs/*/)" "$(demo_images)/Cat/0.jpg"
  "$xfer" preview --demo-per-class 16 --image-size 64 --out "$work/preview.png"
  [ -s "$work/preview.png" ]
  # Outside a clone it must fail, saying so.
  if "$xfer" bench preprocess 2>"$work/bench.err"; then exit 1; fi
  grep 'clone of the xfer repository' "$work/bench.err"
}

from_source() {
  cd "$work/project"
  rm -rf node_modules/@xfer/native-kernels/prebuilds
  npm install-scripts approve @xfer/native-kernels
  npm rebuild @xfer/native-kernels
  node --input-type=module -e "import { info } from '@xfer/native-kernels'; console.log(info());"
  [ -f node_modules/@xfer/native-kernels/build/Release/xfer_kernels.node ]
}

check "native-preproc prebuilt: zlib and libspng linked in, libturbojpeg beside it" bash packages/native-preproc/scripts/prebuild.sh
check "native-kernels prebuilt, against the system's libdnnl.so.2" bash packages/native-kernels/scripts/prebuild.sh
check "the four packages pack, the native ones with their prebuilt binaries" pack
check "all four install from their tarballs in one project, workspace dependencies resolved to them" project_install
check "the prebuilt binaries load there, nothing built at install" prebuilt_addons_load
check "the installed xfer trains on the demo set with the prebuilt native kernels" project_train
check "the example (examples/tiny-classifier) installs @xfer/native-preproc alone and trains" example
check "the example runs in a root file system without libjpeg-turbo, libspng or zlib" example_without_codecs
check "a global xfer (npm install -g) trains with the native kernels, predicts, previews, and says bench needs a clone" global_xfer
check "where the prebuilt is missing, the install script builds native-kernels from source" from_source

node tools/ci/checks-report.mjs pack-install "$work/checks.tsv" reports/pack-install.json
