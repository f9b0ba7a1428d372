#!/usr/bin/env bash
# Runs a command under chroot, in a root file system that holds Node and the libraries Node itself
# links and nothing else: no libjpeg-turbo, libspng or zlib, so an addon that needs any of them
# from the system fails to load there. <dir> is mounted at its own path inside. Needs root
# (unshare, mount, chroot); the mounts live in a private namespace and end with the command.
#
#   bash tools/ci/codec-free-root.sh <dir> <command> [args...]
set -euo pipefail
dir="$(cd "$1" && pwd)"
shift
rootfs="$(mktemp -d)"
# --one-file-system: should a mount outlive the namespace, <dir> behind it is not deleted.
trap 'rm -rf --one-file-system "$rootfs"' EXIT

node="$(command -v node)"
for f in "$node" $(ldd "$node" | grep -o '/[^ ]*'); do
  mkdir -p "$rootfs$(dirname "$f")"
  cp -L "$f" "$rootfs$f"
done
if find "$rootfs" -name 'libturbojpeg*' -o -name 'libspng*' -o -name 'libz.so*' | grep .; then
  echo "codec-free-root: Node itself links a codec library above; this check cannot tell anything" >&2
  exit 1
fi
mkdir -p "$rootfs$dir" "$rootfs/proc" "$rootfs/tmp"

unshare --mount --fork -- bash -c '
  set -e
  rootfs="$1" dir="$2" node="$3" chroot="$4"
  shift 4
  mount --bind "$dir" "$rootfs$dir"
  mount -t proc proc "$rootfs/proc"
  exec env -i "PATH=$(dirname "$node")" HOME=/tmp "$chroot" "$rootfs" "$@"
' codec-free-root "$rootfs" "$dir" "$node" "$(command -v chroot)" "$@"
