#!/usr/bin/env bash
# Makes the GPU bundle: everything a bare x86-64 Linux machine (no Node, no npm, no network, none of
# xfer's -dev libraries) needs to run xfer from a copy of this working tree, in one ignored folder
# of at most 60 MiB that travels with it:
#   xfer-node.deb   this machine's Node binary (bin/node);
#   xfer-app.deb    the files of node_modules/ and packages/*/ that xfer opens (traced with strace
#                   while it runs summary, a 1-epoch demo train and the webgpu backend's loading),
#                   so no tests, docs, source maps or unused backends; the workspace links; and
#                   node-addon-api and the Node-API headers, which the CUDA build of native-preproc
#                   there needs;
#   debs/           the Debian packages of the shared libraries xfer loads and a bare machine lacks
#                   (libturbojpeg, libspng, oneDNN and what it needs, the Vulkan loader) and of
#                   what the native-preproc build needs (headers, pkgconf);
#   corpus/         the first 200 images of ../shared/bench-corpus, for the GPU check.
# tools/gpu/run.sh unpacks them all with dpkg-deb -x (xz-compressed .debs: no xz tool is needed
# there) into its own folder, and the app files into the working tree, never over /.
# Needs the repository built (npm ci, then npx nx run-many -t build), strace, dpkg-deb and
# apt-get download (a reachable Debian mirror).
#
#   bash tools/gpu/bundle.sh [out-dir]      default: .gpu-bundle at the repository root
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/.gpu-bundle}"
limit_mib=60

for tool in strace apt-get dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "bundle: $tool is needed" >&2; exit 1; }
done
for built in packages/cli/dist packages/trainer/dist packages/native-preproc/build/Release/xfer_native.node; do
  [ -e "$root/$built" ] || { echo "bundle: $built is missing: run npm ci and npx nx run-many -t build first" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out/debs"

# 1. What xfer opens, traced on the paths the GPU machine runs.
trace() { strace -f -qq -e trace=openat -o "$work/trace.$1" "${@:2}" >/dev/null 2>&1 || { echo "bundle: traced run '$1' failed" >&2; exit 1; }; }
xfer="$root/packages/cli/bin/xfer.js"
export XFER_CACHE_DIR="$work/cache"
trace summary node "$xfer" summary --model xception
trace train node "$xfer" train --demo-per-class 16 --epochs 1 --fine-tune-epochs 1 --batch-size 8 --out "$work/runs" --quiet
# A libvulkan.so.1 without Vulkan makes the webgpu backend load Dawn and find no adapter; tfjs' webgpu
# kernels, which it loads only once there is one, are imported as the trainer resolves them.
printf 'int xfer_not_vulkan;\n' >"$work/stub.c"
mkdir -p "$work/fake-vulkan"
cc -shared -fPIC -o "$work/fake-vulkan/libvulkan.so.1" "$work/stub.c"
trace webgpu env LD_LIBRARY_PATH="$work/fake-vulkan" node --input-type=module -e "
  import { createRequire } from 'node:module';
  const trainer = await import('$root/packages/trainer/dist/index.js');
  await trainer.pickBackend('webgpu').catch(() => {});
  await import(createRequire('$root/packages/trainer/package.json').resolve('@tensorflow/tfjs-backend-webgpu'));"

{
  # Every path opened; a call cut in two by another thread's ("<unfinished ...>") has no result on
  # its line, so existence decides rather than the result.
  cat "$work"/trace.* | sed -nE 's/.*openat\(AT_FDCWD, "([^"]+)".*/\1/p' |
    grep -E "^$root/(node_modules|packages/[^/]+)/" | grep -v -E "^$root/packages/[^/]+/(src|test|native|fuzz|scripts)/" |
    while read -r f; do [ -f "$f" ] && realpath --relative-to="$root" "$f"; done
  # The packages' whole builds (small), whatever a traced run happened not to import.
  (cd "$root" && find packages/*/dist -type f -name '*.js')
  # What the CUDA build of native-preproc on the GPU machine reads besides its sources.
  (cd "$root" && find node_modules/node-addon-api node_modules/node-api-headers/include -name '*.h' -o -name 'package.json' -path '*/node-addon-api/package.json')
  # Every traced package's package.json: Node reads them to resolve, and strace may not see a cached one.
} | sort -u >"$work/files"
sed -nE 's#^(node_modules/(@[^/]+/)?[^/]+)/.*#\1/package.json#p' "$work/files" | sort -u |
  while read -r p; do [ -f "$root/$p" ] && echo "$p"; done >>"$work/files"
# The workspace links through which the packages import each other.
(cd "$root" && find node_modules/@xfer -maxdepth 1 -type l -lname '../../packages/*') >>"$work/files"
sort -u -o "$work/files" "$work/files"

# Each as a .deb: dpkg-deb compresses with xz and unpacks it where no xz tool is installed.
deb() { # name, staging dir
  mkdir -p "$2/DEBIAN"
  printf 'Package: %s\nVersion: 0.1.0\nArchitecture: amd64\nMaintainer: xfer\nDescription: xfer GPU bundle, %s\n' "$1" "$1" >"$2/DEBIAN/control"
  dpkg-deb -Zxz -z6 --root-owner-group --build "$2" "$out/$1.deb" >/dev/null
}
mkdir -p "$work/app"
tar -C "$root" -cf - -T "$work/files" | tar -C "$work/app" -xf -
deb xfer-app "$work/app"

# 2. Node.
mkdir -p "$work/node/bin"
cp "$(readlink -f "$(command -v node)")" "$work/node/bin/node"
deb xfer-node "$work/node"

# 3. Debian packages, at the versions installed here.
debs=(libturbojpeg0 libspng0 libdnnl2 libgomp1 ocl-icd-libopencl1 libvulkan1 libturbojpeg0-dev libspng-dev zlib1g-dev pkgconf-bin libpkgconf3)
# apt fetches as its _apt user, which needs to own the folder it writes into.
chmod 755 "$work" && mkdir -p "$work/debs" && chown _apt "$work/debs" 2>/dev/null || true
for p in "${debs[@]}"; do
  version="$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null || apt-cache policy "$p" | sed -n 's/ *Candidate: //p')"
  (cd "$work/debs" && apt-get download -qq "$p=$version")
done
mv "$work"/debs/*.deb "$out/debs/"

# 4. The first 200 images of the bench corpus for the GPU check (../shared does not travel).
corpus="$root/../shared/bench-corpus"
if [ -f "$corpus/corpus.json" ]; then
  mkdir -p "$out/corpus"
  node -e "
    const fs = require('fs');
    const entries = JSON.parse(fs.readFileSync('$corpus/corpus.json', 'utf8')).slice(0, 200);
    for (const e of entries) fs.copyFileSync('$corpus/' + e.f, '$out/corpus/' + e.f);
    fs.writeFileSync('$out/corpus/corpus.json', JSON.stringify(entries));"
else
  echo "bundle: no bench corpus at $corpus; the GPU check's preprocessing rows will say so" >&2
fi

size_mib=$(( $(du -sb "$out" | cut -f1) / 1048576 ))
echo "bundle: $out, ${size_mib} MiB ($(wc -l <"$work/files") app files, ${#debs[@]} Debian packages)"
if [ "$size_mib" -gt "$limit_mib" ]; then
  echo "bundle: larger than ${limit_mib} MiB" >&2
  exit 1
fi
