#!/usr/bin/env bash
# MD cost in CPU time, which a loaded machine disturbs far less than wall time: each model runs the 2,000-atom
# NVE input (examples/md/in.mo-nve) on one rank for 0 and for STEPS steps under /usr/bin/time; the difference of
# user + system seconds is the cost of STEPS steps (setup, model loading and the first force call cancel).
#   examples/md/cpu_speed.sh OUT STEPS MODEL...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$1"; steps="$2"; shift 2
mkdir -p "$out"
echo "| model | steps | CPU seconds per step | atom-steps per CPU second |"
echo "|---|---|---|---|"
for model in "$@"; do
    for n in 0 "$steps"; do
        /usr/bin/time -f "%U %S" -o "$out/$model.$n.time" lmp -in "$here/in.mo-nve" -var model "$model" -var steps "$n" \
            -var every 1000000 -log none > "$out/$model.$n.log" 2>&1
    done
    read -r u0 s0 < "$out/$model.0.time"
    read -r u1 s1 < "$out/$model.$steps.time"
    atoms=$(grep "^Loop time" "$out/$model.$steps.log" | awk '{print $(NF-1)}')
    awk -v m="$model" -v n="$steps" -v a="$atoms" -v c0="$(echo "$u0 + $s0" | bc)" -v c1="$(echo "$u1 + $s1" | bc)" \
        'BEGIN { per = (c1 - c0) / n; printf "| %s | %d | %.3f | %.0f |\n", m, n, per, a / per }'
done
