#!/usr/bin/env bash
# Decoding success against fingerprint length: `milad roundtrip` with the complete invariant set and its
# thinned versions (complete-Fx: F x (2l + 1) degree-3 couplings per block instead of 3 x), one after
# another on one thread. Reports go to OUT (default bench-out/thinning); a table is printed at the end.
#
#   examples/decoding/thinning.sh [OUT] [FILE] [LIMIT] [PRESETS]
#   e.g. examples/decoding/thinning.sh out ../shared/data/molecules/qm9_first100.xyz 100 "paper default"
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-bench-out/thinning}
FILE=${2:-../shared/data/molecules/qm9_first100.xyz}
LIMIT=${3:-100}
read -r -a PRESETS <<< "${4:-paper default}"
SETS=(complete complete-2x complete-1.5x complete-1x)
mkdir -p "$OUT"
MILAD=(${MILAD:-milad})
name=$(basename "$FILE" .xyz)
for preset in "${PRESETS[@]}"; do
  for set in "${SETS[@]}"; do
    echo "== $preset $set" >&2
    "${MILAD[@]}" roundtrip "$FILE" --preset "$preset" --invariants "$set" --limit "$LIMIT" --threads 1 \
      --report "$OUT/$name.$preset.$set.json" >&2
  done
done
python3 - "$OUT" "$name" "${PRESETS[@]}" <<'PY'
import json, sys
out, name, presets = sys.argv[1], sys.argv[2], sys.argv[3:]
print("| preset | invariants | length | length / moment unknowns | positions | + species | median work | p95 work |")
print("|---|---|---|---|---|---|---|---|")
for preset in presets:
    for s in ["complete", "complete-2x", "complete-1.5x", "complete-1x"]:
        r = json.load(open(f"{out}/{name}.{preset}.{s}.json"))
        d, m = r["descriptor"], r["summary"]
        n = d["n_max"]
        unknowns = sum(2 * l + 1 for l in range(n + 1) for k in range(l, n + 1, 2))   # real moments of order <= n_max
        length = d["length"]
        print(f"| {preset} | {s} | {length} | {length / unknowns:.2f} | {100 * m['positions_success_rate']:.1f} % | "
              f"{100 * m['species_success_rate']:.1f} % | {m.get('median_work', '')} | {m.get('p95_work', '')} |")
PY
