#!/usr/bin/env bash
# Builds what the packed package carries in prebuilds/linux-x64/: xfer_native.node with zlib and
# libspng linked in, and libturbojpeg.so.0 beside it (found there through the .node's $ORIGIN
# run path), so that it loads where none of the three is installed. libz.a comes from zlib1g-dev.
# Debian ships libspng as a shared library only: its source package comes from the configured
# Debian mirror (apt-get source, checked against the signed release files) and is compiled in.
# Needs Debian or Ubuntu with libturbojpeg0-dev, zlib1g-dev, dpkg-dev and the usual build tools.
#
#   bash scripts/prebuild.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# cmake-js clears its output folder on a failed build: the libspng source is kept beside it.
spng=build-prebuild/libspng
out=build-prebuild/cmake

if [ ! -f "$spng/spng/spng.c" ]; then
  apt_dir="$(mktemp -d)"
  trap 'rm -rf "$apt_dir"' EXIT
  # The system's own sources, as deb-src entries, in a private apt state: nothing of the
  # system's apt configuration or lists is changed.
  mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f" >"$apt_dir/parts/$(basename "$f")"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && sed -n 's/^deb /deb-src /p' "$f" >>"$apt_dir/parts/system.list"
  done
  apt_opts=(-qq -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/parts"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Sandbox::User=root")
  apt-get "${apt_opts[@]}" update
  (cd "$apt_dir" && apt-get "${apt_opts[@]}" source libspng >/dev/null)
  rm -rf "$spng"
  mkdir -p "$(dirname "$spng")"
  mv "$apt_dir"/libspng-*/ "$spng"
fi

# configure, then build: `compile` would keep the settings of an earlier configuration.
npx cmake-js configure --out "$out" --CDXFER_PREBUILT=ON "--CDXFER_SPNG_SOURCE=$PWD/$spng"
npx cmake-js build --out "$out"

dest=prebuilds/linux-x64
rm -rf "$dest"
mkdir -p "$dest"
cp "$out/Release/xfer_native.node" "$dest/"
cp -L "$(ldd "$dest/xfer_native.node" | awk '$1 == "libturbojpeg.so.0" { print $3 }')" "$dest/"
# Their licences ask for their notices to travel with the binaries.
cp /usr/share/doc/libturbojpeg0/copyright "$dest/LICENSE.libjpeg-turbo"
cp "$spng/LICENSE" "$dest/LICENSE.libspng"
cp /usr/share/doc/zlib1g/copyright "$dest/LICENSE.zlib"
# Every codec is now inside the folder: libturbojpeg resolves to the copy beside the .node.
deps="$(ldd "$dest/xfer_native.node")"
if grep -E 'libspng|libz\.|not found' <<<"$deps" || ! grep -q "libturbojpeg.so.0 => $PWD/$dest/" <<<"$deps"; then
  echo "prebuild: $dest/xfer_native.node links codecs from outside $dest:" >&2
  echo "$deps" >&2
  exit 1
fi
echo "prebuild: $(cd "$dest" && ls | tr '\n' ' ')in $dest"
