#!/usr/bin/env bash
# MD cost in CPU time (examples/md/cpu_speed.sh) of several builds of libmilad.so, back to back, without touching the
# installed KIM collections:
#   examples/md/compare_builds.sh OUT STEPS NATIVE_DIR... -- MODEL...
# e.g. examples/md/compare_builds.sh out/cmp 10 out/native-before out/native-after -- \
#        SNAP_ZuoChenLi_2019_Mo__MO_014123846623_000 Milad_Mo_linear__MO_000000000000_000
# For each NATIVE_DIR (a folder with a libmilad.so, from dotnet publish src/Milad.Native ... -o NATIVE_DIR) the Milad
# driver is built over it into a KIM configuration of its own, OUT/kim-N (its own driver folder; the portable models
# folder of the user's collection, read only), so the installed Milad portable models run on that driver. (Installing
# into the "environment" collection instead would not do: `kim-api-collections-management install --force` removes
# a driver of the same name from the user collection.) Every build runs every model, so models that do not use the
# driver (SNAP) show how much the load moved between builds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$1"; steps="$2"; shift 2
builds=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do builds+=("$(cd "$1" && pwd)"); shift; done
[ "$#" -gt 0 ] && shift
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# The user collection's portable models (where `kim-api-collections-management install user` put them).
user_config="${KIM_API_CONFIGURATION_FILE:-$(ls -d "$HOME"/.kim-api/*/config | head -1)}"
user_models="$(sed -n 's/^portable-models-dir = //p' "$user_config")"
unset KIM_API_MODEL_DRIVERS_DIR KIM_API_PORTABLE_MODELS_DIR KIM_API_SIMULATOR_MODELS_DIR
i=0
for native in "${builds[@]}"; do
    i=$((i + 1))
    kim="$out/kim-$i"
    mkdir -p "$kim/drivers" "$kim/simulator-models"
    printf 'model-drivers-dir = %s\nportable-models-dir = %s\nsimulator-models-dir = %s\n' \
        "$kim/drivers" "$user_models" "$kim/simulator-models" > "$kim/config"
    export KIM_API_CONFIGURATION_FILE="$kim/config"
    stage="$(mktemp -d)"
    cp "$native/libmilad.so" "$stage/"
    cp "$root/src/Milad.Native/include/milad.h" "$stage/"
    MILAD_NATIVE_DIR="$stage" bash "$root/kim/install-driver.sh" user > "$kim/install.log" 2>&1
    rm -rf "$stage"
    echo "build $i: $native (load $(cut -d' ' -f1-3 /proc/loadavg))"
    "$here/cpu_speed.sh" "$out/build-$i" "$steps" "$@"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
