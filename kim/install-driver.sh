#!/usr/bin/env bash
# Installs the Milad KIM model driver (Milad__MD_000000000000_000) into a KIM API collection:
#   bash kim/install-driver.sh [user|environment|system]      (default: user)
# It builds libmilad.so (NativeAOT: dotnet publish src/Milad.Native) unless MILAD_NATIVE_DIR names a folder that
# already has it, stages the driver's sources with libmilad.so and milad.h, and runs kim-api-collections-management,
# which builds the driver with the KIM API's CMake files and installs libmilad.so beside it (found through RPATH
# $ORIGIN). Needs: cmake, a C and a C++ compiler, libkim-api-dev; for the build of libmilad.so clang and zlib1g-dev.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
collection="${1:-user}"
driver=Milad__MD_000000000000_000
native="${MILAD_NATIVE_DIR:-$root/out/native}"
if [ ! -f "$native/libmilad.so" ]; then
    echo "install-driver.sh: building libmilad.so (NativeAOT, a minute or two) into $native"
    dotnet publish "$root/src/Milad.Native" -c Release -r linux-x64 -o "$native" -v quiet -nologo
fi
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -r "$root/kim/$driver" "$stage/$driver"
mkdir -p "$stage/$driver/native"
cp "$native/libmilad.so" "$root/src/Milad.Native/include/milad.h" "$stage/$driver/native/"
kim-api-collections-management install --force "$collection" "$stage/$driver"
