#!/usr/bin/env bash
# Decoding to the nearest structure: `milad roundtrip` of the first molecules of qm9_derived_985 with relative
# Gaussian noise on every invariant or rounded to float32/float16, at both presets, with the default work budget and
# a --tolerance that follows the perturbation (about twice its relative size: what a user who knows how the
# fingerprint was stored or measured would give). Two runs at a time (one thread each); reports go to OUT as
# {preset}_{perturbation}.json; the table is printed and the PNG written at the end.
#
#   examples/decoding/noise.sh [OUT] [MANY] [FEW] [PNG]
#   MANY molecules (default 100) for the exact, 1e-8, float32 and 1e-6 rows, FEW (default 20) for the rest, where
#   most molecules spend the whole budget.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-bench-out/noise}
MANY=${2:-100}
FEW=${3:-20}
PNG=${4:-$OUT/decoding-noise.png}
FILE=../shared/data/molecules/qm9_derived_985.xyz
MILAD=(${MILAD:-milad})
mkdir -p "$OUT"
run() {  # preset name limit tolerance perturbation-options...
  local preset=$1 name=$2 limit=$3 tolerance=$4; shift 4
  "${MILAD[@]}" roundtrip "$FILE" --preset "$preset" --limit "$limit" --tolerance "$tolerance" --threads 1 "$@" \
    --report "$OUT/${preset}_$name.json" > "$OUT/${preset}_$name.log" 2>&1
  echo "done $preset $name" >&2
}
for preset in default paper; do
  run "$preset" exact "$MANY" 1e-6 &
  run "$preset" 1e-8 "$MANY" 1e-6 --noise 1e-8
  wait
  run "$preset" float32 "$MANY" 1e-6 --round float32 &
  run "$preset" 1e-6 "$MANY" 3e-6 --noise 1e-6
  wait
  run "$preset" 1e-4 "$FEW" 3e-4 --noise 1e-4 &
  run "$preset" float16 "$FEW" 1e-3 --round float16
  wait
  run "$preset" 1e-3 "$FEW" 3e-3 --noise 1e-3 &
  run "$preset" 1e-2 "$FEW" 3e-2 --noise 1e-2
  wait
done
/usr/bin/python3 examples/decoding/noise_plot.py "$OUT" --plot "$PNG"
