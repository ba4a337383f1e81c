#!/usr/bin/env bash
# Same numbers through every door for trained models already exported and installed as KIM models:
#   examples/md/doors.sh OUT FRAMES MODEL.json=KIM_NAME...
# e.g. examples/md/doors.sh out/doors frames.xyz Mo-quadratic.json=Milad_Mo_quadratic__MO_000000000000_000
# For each model: milad predict, LAMMPS + KIM on 1 and 2 MPI ranks, ASE SocketIOCalculator + milad drive, and
# compare.py's largest relative deviations from milad predict. MILAD (default `milad`) is the command to run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
milad="${MILAD:-milad}"
out="$1"; frames="$2"; shift 2
mkdir -p "$out"
for pair in "$@"; do
    model="${pair%%=*}"; name="${pair#*=}"
    base="$out/$name"
    $milad predict --model "$model" "$frames" --output "$base.predict.xyz" > /dev/null
    /usr/bin/python3 "$here/lammps_kim.py" --model "$name" --frames "$frames" --output "$base.lammps1.json"
    mpirun --allow-run-as-root -np 2 /usr/bin/python3 "$here/lammps_kim.py" --model "$name" --frames "$frames" --output "$base.lammps2.json"
    socket="milad_doors_$$"
    /usr/bin/python3 "$here/ase_socket.py" --frames "$frames" --unix "$socket" --output "$base.ase.json" \
        --client "$milad drive --model $model --unix $socket" > /dev/null
    /usr/bin/python3 "$here/compare.py" "$base.predict.xyz" "$base.lammps1.json" "$base.lammps2.json" "$base.ase.json"
done
