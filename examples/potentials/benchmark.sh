#!/usr/bin/env bash
# Reproduces the results table of docs/potentials-benchmark.md: one `milad train` per data set
# and model kind, run one after another (the machine has 2 cores; parallel runs would distort the
# training times). Reports, models and parity plots go to OUT (default bench-out/potentials); the table
# is printed at the end and written to OUT/table.md. The `1 core` rows were timed one run at a time on one
# core at the lowest priority: `nice -n 19 taskset -c 0 examples/potentials/benchmark.sh OUT Mo`.
#
#   examples/potentials/benchmark.sh [OUT] [ELEMENTS...]     e.g. examples/potentials/benchmark.sh out Mo Si
#   KINDS="quadratic" examples/potentials/benchmark.sh out Mo  (some model kinds only; default all three)
#   KINDS="linear-stress linear-magnetic" examples/potentials/benchmark.sh out Fe   (Fe's extra rows: a run named
#   kind-variant trains that kind with the variant's settings, EXTRA[El-kind-variant])
#
# Data: ../shared/data/mlearn/{El}_{train,test}.xyz and ../shared/data/fe/fe_{train,test}.xyz
# (relative to the repository root). Test files are only evaluated, never used to choose anything.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-bench-out/potentials}
shift || true
ELEMENTS=("$@")
[ ${#ELEMENTS[@]} -eq 0 ] && ELEMENTS=(Li Mo Si Ge Cu Ni Fe)
[ -n "${KINDS:-}" ] && KINDS_GIVEN=1
read -r -a KINDS <<< "${KINDS:-linear quadratic neural}"
# Fe's extra rows (stresses; stresses and magnetic moments as inputs), run when KINDS is not given.
FE_EXTRA=(linear-stress linear-magnetic)
DATA=../shared/data
mkdir -p "$OUT"
dotnet build src/Milad.Cli -c Release -v q -nologo > /dev/null
MILAD=(dotnet src/Milad.Cli/bin/Release/net10.0/Milad.Cli.dll)

# Descriptor per data set: "scalar" invariants at n_max 11 (the complete set's couplings without the
# pseudoscalars), cutoff chosen by the cross-validated errors of linear fits (docs/potentials-benchmark.md, "How the settings were chosen").
declare -A DESCRIPTOR=(
  [Ni]="--invariants scalar --nmax 11 --cutoff 4.0"
  [Cu]="--invariants scalar --nmax 11 --cutoff 4.0"
  [Li]="--invariants scalar --nmax 11 --cutoff 5.0"
  [Mo]="--invariants scalar --nmax 11 --cutoff 4.0"
  [Si]="--invariants scalar --nmax 11 --cutoff 4.5"
  [Ge]="--invariants scalar --nmax 11 --cutoff 4.5"
  [Fe]="--invariants scalar --nmax 11 --cutoff 4.0"
)
# Model settings per kind; the network's epochs and time limit keep every fit inside 15 minutes.
declare -A MODEL=(
  [linear]=""
  [quadratic]="--quadratic-components 32"
  [neural]="--components 48 --hidden 64,64 --epochs 300 --patience 50 --time-limit 400"
)
# Settings for one data set and kind (docs/potentials-benchmark.md, "How the settings were chosen"): a pair term at a second, longer cutoff (Gaussian radial
# functions, --pair-cutoff), the force-aware projection for the quadratic terms, a fixed energy weight.
declare -A EXTRA=(
  [Mo-quadratic]="--pair-cutoff 5.5 --projection forces"
  [Si-quadratic]="--pair-cutoff 6.0 --energy-weights 10"
  [Fe-linear]="--pair-cutoff 5.0 --pair-inner 1.0 --pair-functions 32"
  [Fe-quadratic]="--pair-cutoff 5.0 --pair-inner 1.0 --pair-functions 32 --energy-weights 1000,10000,100000"
  [Fe-neural]="--pair-cutoff 5.0 --pair-inner 1.0 --pair-functions 32"
  [Fe-linear-stress]="--pair-cutoff 5.0 --pair-inner 1.0 --pair-functions 32 --stress-weight 0.1"
  [Fe-linear-magnetic]="--pair-cutoff 6.0 --pair-inner 1.0 --pair-functions 32 --stress-weight 0.03 --magnetic-powers 2,4,6 --energy-weights 10"
)

for el in "${ELEMENTS[@]}"; do
  if [ "$el" = Fe ]; then train=$DATA/fe/fe_train.xyz; test=$DATA/fe/fe_test.xyz
  else train=$DATA/mlearn/${el}_train.xyz; test=$DATA/mlearn/${el}_test.xyz; fi
  runs=("${KINDS[@]}")
  [ "$el" = Fe ] && [ -z "${KINDS_GIVEN:-}" ] && runs+=("${FE_EXTRA[@]}")
  for run in "${runs[@]}"; do
    kind=${run%%-*}
    echo "== $el $run" >&2
    # The hand-chosen settings of these rows, without the settings search (docs/potentials-defaults.md).
    # shellcheck disable=SC2086
    "${MILAD[@]}" train --search-budget 0 --train "$train" --test "$test" --kind "$kind" ${DESCRIPTOR[$el]} ${MODEL[$kind]} ${EXTRA[$el-$run]:-} \
      --model "$OUT/$el-$run.json" --report "$OUT/$el-$run.report.json" --plot "$OUT/$el-$run.png" | tee "$OUT/$el-$run.log"
  done
done

# Table: test errors from the reports (one key per line in the indented JSON; the test block comes second).
value() { grep "\"$2\"" "$1" | sed -n "${3:-2}p" | sed 's/.*: *\([-0-9.eE+]*\).*/\1/'; }
{
  echo "| data | model | energy MAE | energy RMSE | force MAE | force RMSE | training s | predict E+F / E |"
  echo "|---|---|---|---|---|---|---|---|"
  for el in "${ELEMENTS[@]}"; do
    for kind in linear quadratic neural "${FE_EXTRA[@]}"; do
      r="$OUT/$el-$kind.report.json"
      [ -f "$r" ] || continue
      printf "| %s | %s | %.2f | %.2f | %.3f | %.3f | %.0f | %.2f |\n" "$el" "$kind" \
        "$(value "$r" energy_mae_mev_per_atom)" "$(value "$r" energy_rmse_mev_per_atom)" \
        "$(value "$r" force_mae_ev_per_a)" "$(value "$r" force_rmse_ev_per_a)" \
        "$(value "$r" seconds 1)" "$(value "$r" cost_ratio 1)"
    done
  done
} | tee "$OUT/table.md"
