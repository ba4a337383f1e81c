#!/usr/bin/env bash
# MD cost in CPU time (examples/md/cpu_speed.sh) of several builds of libmilad.so, back to back, without touching the
# installed KIM collections:
#   examples/md/compare_builds.sh OUT STEPS NATIVE_DIR... -- MODEL...
# e.g. examples/md/compare_builds.sh out/cmp 10 out/native-before out/native-after -- \
#        SNAP_ZuoChenLi_2019_Mo__MO_014123846623_000 Milad_Mo_linear__MO_000000000000_000
# For each NATIVE_DIR (a folder with a libmilad.so, from dotnet publish src/Milad.Native ... -o NATIVE_DIR) the Milad
# driver is built over it into a collection of its own, OUT/kim-N, which the KIM API searches before the user
# collection (KIM_API_MODEL_DRIVERS_DIR): the installed Milad portable models then run on that driver. Every build runs
# every model, so models that do not use the driver (SNAP) show how much the load moved between builds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$1"; steps="$2"; shift 2
builds=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do builds+=("$(cd "$1" && pwd)"); shift; done
[ "$#" -gt 0 ] && shift
mkdir -p "$out"
out="$(cd "$out" && pwd)"
i=0
for native in "${builds[@]}"; do
    i=$((i + 1))
    kim="$out/kim-$i"
    mkdir -p "$kim/drivers" "$kim/models"
    export KIM_API_MODEL_DRIVERS_DIR="$kim/drivers" KIM_API_PORTABLE_MODELS_DIR="$kim/models"
    stage="$(mktemp -d)"
    cp "$native/libmilad.so" "$stage/"
    cp "$root/src/Milad.Native/include/milad.h" "$stage/"
    MILAD_NATIVE_DIR="$stage" bash "$root/kim/install-driver.sh" environment > "$kim/install.log" 2>&1
    rm -rf "$stage"
    echo "build $i: $native (load $(cut -d' ' -f1-3 /proc/loadavg))"
    "$here/cpu_speed.sh" "$out/build-$i" "$steps" "$@"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
