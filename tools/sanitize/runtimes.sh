# Sourced by the scripts that run node against an ASan + UBSan build of an addon: node itself is
# not instrumented, so they preload the sanitizer runtimes. Sets $asan and $ubsan to the runtimes
# of the compiler that built the addon ($CXX, else c++), or exits naming the package to install.
cxx="${CXX:-c++}"
asan="$("$cxx" -print-file-name=libasan.so)"
ubsan="$("$cxx" -print-file-name=libubsan.so)"
for lib in "$asan" "$ubsan"; do
  if [[ "$lib" != /* || ! -e "$lib" ]]; then
    echo "$cxx does not ship $(basename "$lib"); install its sanitizer runtime (Debian: libasan8 libubsan1)" >&2
    exit 1
  fi
done
