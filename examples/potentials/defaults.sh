#!/usr/bin/env bash
# Reproduces the table of docs/potentials-defaults.md: `milad train` with no setting given (the settings
# search chooses cutoff, n_max, invariant set, pair term and model kind by cross-validation on the training file),
# one data set after another. Reports and models go to OUT (default bench-out/defaults); a summary table is
# printed at the end.
#
#   examples/potentials/defaults.sh [OUT] [ELEMENTS...]      e.g. examples/potentials/defaults.sh out Mo Ge
#   EXTRA="--nmax 11 --invariants scalar" examples/potentials/defaults.sh out Ni   (fix some settings)
#   examples/potentials/defaults.sh out Fe Fe-magnetic   (Fe-magnetic: the atoms' moments as inputs, --magnetic-powers 2,4,6)
#
# Data: ../shared/data/mlearn/{El}_{train,test}.xyz and ../shared/data/fe/fe_{train,test}.xyz (relative to the
# repository root). The test files are read only after each model is final.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-bench-out/defaults}
shift || true
ELEMENTS=("$@")
[ ${#ELEMENTS[@]} -eq 0 ] && ELEMENTS=(Mo Ge Ni Cu Li Si)
DATA=../shared/data
mkdir -p "$OUT"
if [ -n "${MILAD:-}" ]; then read -r -a MILAD <<< "$MILAD"   # e.g. MILAD=milad (the installed command)
else dotnet build src/Milad.Cli -c Release -v q -nologo > /dev/null; MILAD=(dotnet src/Milad.Cli/bin/Release/net10.0/Milad.Cli.dll); fi
for el in "${ELEMENTS[@]}"; do
  echo "== $el" >&2
  # shellcheck disable=SC2086
  case $el in
    Fe) files=(fe/fe_train.xyz fe/fe_test.xyz); flags=() ;;
    Fe-magnetic) files=(fe/fe_train.xyz fe/fe_test.xyz); flags=(--magnetic-powers 2,4,6) ;;
    *) files=("mlearn/${el}_train.xyz" "mlearn/${el}_test.xyz"); flags=() ;;
  esac
  "${MILAD[@]}" train --train "$DATA/${files[0]}" --test "$DATA/${files[1]}" ${EXTRA:-} "${flags[@]}" \
    --model "$OUT/$el.json" --report "$OUT/$el.report.json" | tee "$OUT/$el.log"
done
python3 - "$OUT" "${ELEMENTS[@]}" <<'PY'
import json, sys
out = sys.argv[1]
print("| data | chosen | CV energy MAE | CV energy RMSE | CV force RMSE | test energy MAE / RMSE | test force MAE / RMSE | s | work s | complete |")
print("|---|---|---|---|---|---|---|---|---|---|")
for el in sys.argv[2:]:
    r = json.load(open(f"{out}/{el}.report.json"))
    s = r["search"]; c = s["candidates"][s["chosen"]]
    pair = f" + pair {c['pair_cutoff']} A" if c["pair_cutoff"] > 0 else ""
    print(f"| {el} | {c.get('kind', 'linear')} {c['invariants']} n_max {c['nmax']} {c['cutoff']} A{pair}, weight {c['energy_weight']:g}, lambda {c['lambda']:g} "
          f"| {c['cv_energy_mae_mev_per_atom']:.2f} | {c['cv_energy_rmse_mev_per_atom']:.2f} | {c['cv_force_rmse_ev_per_a']:.4f} "
          f"| {r['test']['energy_mae_mev_per_atom']:.2f} / {r['test']['energy_rmse_mev_per_atom']:.2f} "
          f"| {r['test']['force_mae_ev_per_a']:.4f} / {r['test']['force_rmse_ev_per_a']:.4f} | {r['seconds']:.0f} | {s['work_seconds']:.0f} | {s['complete']} |")
PY
