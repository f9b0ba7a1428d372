#!/usr/bin/env bash
# Proves that the GPU bundle alone runs xfer: a minimal Debian root file system (debootstrap
# minbase: no Node, none of xfer's libraries) gets a copy of the working tree as the device tool
# carries it (tracked and untracked-not-ignored files, plus .gpu-bundle), and inside it, under
# chroot, tools/gpu/run.sh runs `xfer summary`, a 1-epoch demo `xfer train` and the GPU check
# (which, with no GPU, only says why). Needs root,
# debootstrap and a Debian mirror; it is not part of CI.
#
#   bash tools/gpu/bare-root-check.sh [rootfs]     default /tmp/xfer-bare-root, made once and reused
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rootfs="${1:-/tmp/xfer-bare-root}"

[ -f "$root/.gpu-bundle/xfer-app.deb" ] || bash "$root/tools/gpu/bundle.sh"
if [ ! -x "$rootfs/usr/bin/dpkg-deb" ]; then
  command -v debootstrap >/dev/null || { echo "bare-root-check: debootstrap is needed (apt-get install debootstrap)" >&2; exit 1; }
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
fi
for absent in usr/bin/node usr/bin/npm usr/bin/xz; do
  [ ! -e "$rootfs/$absent" ] || { echo "bare-root-check: $rootfs has /$absent; it must be bare" >&2; exit 1; }
done
for lib in libturbojpeg.so.0 libspng.so.0 libdnnl.so.2 libgomp.so.1 libOpenCL.so.1 libvulkan.so.1; do
  if find "$rootfs/usr/lib" "$rootfs/lib" -name "$lib" 2>/dev/null | grep -q .; then
    echo "bare-root-check: $rootfs has $lib; it must be bare" >&2
    exit 1
  fi
done

rm -rf "$rootfs/xfer" "$rootfs/root/.cache" "$rootfs/tmp/runs"
mkdir -p "$rootfs/xfer"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -C "$rootfs/xfer" -xf -
cp -r "$root/.gpu-bundle" "$rootfs/xfer/"

mount -t proc proc "$rootfs/proc"
trap 'umount "$rootfs/proc"' EXIT
in_root() { chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root bash -c "cd /xfer && $1"; }
echo "== xfer summary, from the bundle alone"
in_root 'bash tools/gpu/run.sh node packages/cli/bin/xfer.js summary --model xception | tail -3'
echo "== a 1-epoch demo xfer train, from the bundle alone"
in_root 'bash tools/gpu/run.sh node packages/cli/bin/xfer.js train --demo-per-class 100 --epochs 1 --fine-tune-epochs 1 --batch-size 16 --out /tmp/runs'
echo "== the GPU check, which says why there is no device here"
in_root 'bash tools/gpu/run.sh'
echo "bare-root-check: ok"
