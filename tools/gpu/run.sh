#!/usr/bin/env bash
# Runs xfer on a bare x86-64 Linux machine from the GPU bundle that tools/gpu/bundle.sh made
# (.gpu-bundle, carried with the working tree), writing nothing outside this working tree:
#   1. unpacks, once, Node and the Debian packages into .gpu-home/ and the app files (node_modules,
#      packages/*/dist, the built addons) into the working tree, all with dpkg-deb -x;
#   2. puts Node on PATH and the bundle's libraries on LD_LIBRARY_PATH, and points Vulkan at the
#      NVIDIA driver's ICD when the system's Vulkan search paths have none;
#   3. where nvcc and a GPU are found, builds native-preproc with CUDA for that GPU into
#      packages/native-preproc/build-gpu and uses it (XFER_NATIVE_BUILD_DIR);
#   4. runs the command given, by default the GPU check (tools/gpu-check.sh).
#
#   bash tools/gpu/run.sh [command ...]     e.g. bash tools/gpu/run.sh node packages/cli/bin/xfer.js summary
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bundle="$root/.gpu-bundle"
home="$root/.gpu-home"
sysroot="$home/sysroot"
libdir="$sysroot/usr/lib/x86_64-linux-gnu"

[ -f "$bundle/xfer-app.deb" ] || { echo "run: $bundle/xfer-app.deb is missing: make the bundle with bash tools/gpu/bundle.sh" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "run: dpkg-deb is needed to unpack the bundle" >&2; exit 1; }

if [ ! -f "$home/.unpacked" ]; then
  mkdir -p "$sysroot"
  dpkg-deb -x "$bundle/xfer-node.deb" "$home"
  dpkg-deb -x "$bundle/xfer-app.deb" "$root"
  for deb in "$bundle"/debs/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
  touch "$home/.unpacked"
fi
export PATH="$home/bin:$PATH"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# The driver installs its Vulkan ICD manifest in its own folder on these machines; the loader
# only searches /usr/share, /etc and the XDG folders.
if [ -z "${VK_DRIVER_FILES:-}" ] && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  icd="$(find /usr /opt /etc -maxdepth 7 -name 'nvidia_icd*.json' 2>/dev/null | head -1 || true)"
  if [ -n "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi
fi

nvcc="$(command -v nvcc || { [ -x /usr/local/cuda/bin/nvcc ] && echo /usr/local/cuda/bin/nvcc; } || true)"
# Without a GPU ('native' has no architecture to build for) the bundle's own addon serves.
if [ -n "$nvcc" ] && nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
  build="$root/packages/native-preproc/build-gpu"
  if [ ! -f "$build/Release/xfer_native.node" ]; then
    rm -rf "$build"  # a failed configure's cache would be reused
    # The build's pkg-config lookups go to the unpacked -dev packages, prefixed with their folder.
    PKG_CONFIG="$sysroot/usr/bin/pkgconf" PKG_CONFIG_SYSROOT_DIR="$sysroot" \
      PKG_CONFIG_LIBDIR="$libdir/pkgconfig:$sysroot/usr/share/pkgconfig" \
      cmake -S "$root/packages/native-preproc" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_CUDA_ARCHITECTURES=native \
        -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$build/Release" \
        "-DCMAKE_JS_INC=$root/node_modules/node-api-headers/include;$root/node_modules/node-addon-api" \
        -DCMAKE_CXX_FLAGS=-DBUILDING_NODE_EXTENSION >/dev/null
    cmake --build "$build" --parallel "$(nproc)" >/dev/null
  fi
  export XFER_NATIVE_BUILD_DIR=build-gpu
fi

cd "$root"
export XFER_GPU_RUN=1  # tools/gpu-check.sh: already set up from the bundle
if [ $# -eq 0 ]; then set -- bash tools/gpu-check.sh; fi
exec "$@"
