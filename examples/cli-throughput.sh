#!/usr/bin/env bash
# Usage: examples/cli-throughput.sh [MILAD...]      (from the repository root; run on an idle machine)
# `milad fingerprint` against its kernels (`milad bench`): items per second of wall time, start-up included,
# one thread on one core (taskset -c 1) and two threads, for the headline inputs of docs/performance-cli.md;
# checks that one and two threads write the same bytes (cmp; .npy, and .json and .csv on a smaller file).
# MILAD defaults to out/milad/Milad.Cli (bash install.sh builds it); e.g. `dotnet src/Milad.Cli/bin/Release/net10.0/Milad.Cli.dll`
# measures the JIT build instead. The inputs are made once in /tmp by examples/repeat-frames.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if (($#)); then milad=("$@"); else milad=(out/milad/Milad.Cli); fi
data=../shared/data
tmp=${TMPDIR:-/tmp}/milad-throughput
mkdir -p "$tmp"

make() { [ -s "$tmp/$1" ] || examples/repeat-frames.sh "$2" "$3" > "$tmp/$1"; }
make qm9_300k.xyz $data/molecules/qm9_first100.xyz 300000
make qm9_100k.xyz $data/molecules/qm9_first100.xyz 100000
make motest_2300.xyz $data/mlearn/Mo_test.xyz 2300        # 118,900 environments
make qm7_10k.xyz $data/molecules/qm7_even.xyz 10000

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); ${milad[*]}"
bench=$(taskset -c 1 "${milad[@]}" bench --only molecules-nmax7,molecules-nmax11,environments-mo)
# the kernels on both cores: how far two threads can go at all
bench2=$("${milad[@]}" bench --only molecules-nmax7,molecules-nmax11,environments-mo --threads 2)
kernel() { awk -F'|' -v b="$1" '{ gsub(/ /, "", $2) } $2 == b { gsub(/ /, "", $7); print $7 }' <<< "${2:-$bench}"; }

# wall seconds of one run (stdout of milad dropped)
wall() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1; }

printf '| what | kernel /s | 1 thread /s (s) | 1 thread / kernel | 2 threads /s (s) | 2 / 1 threads | kernel 2 / 1 threads | same bytes |\n'
printf '|---|---|---|---|---|---|---|---|\n'
row() { # name kernel-benchmark items input options...
    local name=$1 k k2; k=$(kernel "$2"); k2=$(kernel "$2" "$bench2"); local items=$3 input=$4; shift 4
    local t1 t2
    t1=$(wall taskset -c 1 "${milad[@]}" fingerprint "$tmp/$input" -o "$tmp/out1.npy" --threads 1 "$@")
    t2=$(wall "${milad[@]}" fingerprint "$tmp/$input" -o "$tmp/out2.npy" --threads 2 "$@")
    local same=no; cmp -s "$tmp/out1.npy" "$tmp/out2.npy" && same=yes
    awk -v n="$name" -v k="$k" -v k2="$k2" -v i="$items" -v t1="$t1" -v t2="$t2" -v s="$same" 'BEGIN {
        printf "| %s | %d | %d (%.2f) | %.0f %% | %d (%.2f) | %.2f x | %.2f x | %s |\n", n, k, i / t1, t1, 100 * i / t1 / k, i / t2, t2, t1 / t2, k2 / k, s }'
}
row "300,000 QM9 molecules, paper preset" molecules-nmax7 300000 qm9_300k.xyz --preset paper
row "100,000 QM9 molecules, default preset" molecules-nmax11 100000 qm9_100k.xyz
row "118,900 Mo environments, paper preset" environments-mo 118900 motest_2300.xyz --preset paper --mode environments

for ext in json csv; do
    "${milad[@]}" fingerprint "$tmp/qm7_10k.xyz" -o "$tmp/out1.$ext" --preset paper --threads 1 >/dev/null
    "${milad[@]}" fingerprint "$tmp/qm7_10k.xyz" -o "$tmp/out2.$ext" --preset paper --threads 2 >/dev/null
    cmp "$tmp/out1.$ext" "$tmp/out2.$ext" && echo "10,000 QM7 molecules, .$ext: the same bytes with 1 and 2 threads"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
