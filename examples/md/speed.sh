#!/usr/bin/env bash
# MD speed through KIM in LAMMPS, models back to back in one run so that they share the machine's load:
#   examples/md/speed.sh OUT STEPS MODEL...        e.g. examples/md/speed.sh out/speed 200 SNAP_ZuoChenLi_2019_Mo__MO_014123846623_000 Milad_Mo_linear__MO_000000000000_000
# Each model runs NVE on a 2,000-atom bcc Mo cell (examples/md/in.mo-nve) on 1 MPI rank and on 2 ranks; OUT/speed.md
# gets one row per model and rank count: atom-steps per second from LAMMPS's "Loop time" (setup excluded), and the
# load average before the run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$1"; steps="$2"; shift 2
mkdir -p "$out"
table="$out/speed.md"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" > "$table"
echo "| model | ranks | steps | loop seconds | atom-steps/s |" >> "$table"
echo "|---|---|---|---|---|" >> "$table"
for ranks in 1 2; do
    for model in "$@"; do
        log="$out/$model.$ranks.log"
        if [ "$ranks" = 1 ]; then
            lmp -in "$here/in.mo-nve" -var model "$model" -var steps "$steps" -var every "$steps" -log none > "$log" 2>&1
        else
            mpirun --allow-run-as-root -np "$ranks" lmp -in "$here/in.mo-nve" -var model "$model" -var steps "$steps" -var every "$steps" -log none > "$log" 2>&1
        fi
        loop=$(grep "^Loop time" "$log" | awk '{print $4}')
        atoms=$(grep "^Loop time" "$log" | awk '{print $(NF-1)}')
        rate=$(awk -v a="$atoms" -v s="$steps" -v t="$loop" 'BEGIN { printf "%.0f", a * s / t }')
        echo "| $model | $ranks | $steps | $loop | $rate |" | tee -a "$table"
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$table"
