#!/usr/bin/env bash
# Builds the binary the packed package carries, prebuilds/linux-x64/xfer_kernels.node: the
# regular Release build. It links the system's oneDNN (libdnnl.so.2: 40 MB, and shared only in
# Debian) and libgomp, so the machine that runs it needs them (Debian/Ubuntu: libdnnl2).
#
#   bash scripts/prebuild.sh
set -euo pipefail
cd "$(dirname "$0")/.."
npx cmake-js compile --out build
dest=prebuilds/linux-x64
rm -rf "$dest"
mkdir -p "$dest"
cp build/Release/xfer_kernels.node "$dest/"
echo "prebuild: $dest/xfer_kernels.node"
