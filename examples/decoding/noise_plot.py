#!/usr/bin/python3
"""Decoding to the nearest structure: reads `milad roundtrip --report` files made with --noise/--round, prints a
Markdown table of success (RMSD < 0.01 A and < 0.1 A after alignment, same atom count; decoded=T) per perturbation
and preset, and with --plot writes a PNG of the success rates against the perturbation.

    /usr/bin/python3 examples/decoding/noise_plot.py DIR --plot docs/decoding-noise.png

DIR holds {preset}_{perturbation}.json with perturbation one of exact, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, float32, float16.
"""
import argparse
import json
import os

PERTURBATIONS = ["exact", "1e-8", "float32", "1e-6", "1e-4", "float16", "1e-3", "1e-2"]
LABELS = {"exact": "exact", "float32": "float32", "float16": "float16"}
WORK = set()  # work budgets of the reports read


def rates(path):
    report = json.load(open(path))
    WORK.add(report["decoding"]["work"])
    results = report["results"]
    n = len(results)
    close = sum(1 for r in results if r.get("rmsd") is not None and r["rmsd"] < 0.01)
    near = sum(1 for r in results if r.get("rmsd") is not None and r["rmsd"] < 0.1)
    decoded = sum(1 for r in results if r["decoded"])
    work = sorted(r["work"] for r in results)
    return n, close, near, decoded, work[len(work) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--plot")
    args = parser.parse_args()
    table = {}
    for preset in ("default", "paper"):
        for p in PERTURBATIONS:
            path = os.path.join(args.dir, f"{preset}_{p}.json")
            if os.path.exists(path):
                table[preset, p] = rates(path)
    print("| fingerprint | default: RMSD < 0.01 A | < 0.1 A | decoded=T | median work | paper: RMSD < 0.01 A | < 0.1 A | decoded=T | median work |")
    print("|---|---|---|---|---|---|---|---|---|")
    for p in PERTURBATIONS:
        cells = []
        for preset in ("default", "paper"):
            if (preset, p) in table:
                n, close, near, decoded, work = table[preset, p]
                cells += [f"{close}/{n}", f"{near}/{n}", f"{decoded}/{n}", f"{work:,}"]
            else:
                cells += ["–"] * 4
        name = p if p in LABELS else f"relative noise {p}"
        print(f"| {name} | " + " | ".join(cells) + " |")
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for preset, colour in (("default", "tab:blue"), ("paper", "tab:orange")):
            xs = [i for i, p in enumerate(PERTURBATIONS) if (preset, p) in table]
            for column, style, what in ((1, "-o", "RMSD < 0.01 A"), (2, "--s", "RMSD < 0.1 A")):
                ys = [100 * table[preset, PERTURBATIONS[i]][column] / table[preset, PERTURBATIONS[i]][0] for i in xs]
                ax.plot(xs, ys, style, color=colour, label=f"{preset}: {what}")
        ax.set_xticks(range(len(PERTURBATIONS)))
        ax.set_xticklabels(["exact", "noise 1e-8", "float32", "noise 1e-6", "noise 1e-4", "float16", "noise 1e-3", "noise 1e-2"], rotation=20)
        ax.set_ylabel("molecules recovered (%)")
        ax.set_ylim(-3, 103)
        sizes = sorted({v[0] for v in table.values()}, reverse=True)
        budgets = " or ".join(f"{w:,}" for w in sorted(WORK))
        ax.set_title(f"Decoding perturbed fingerprints: first {' or '.join(map(str, sizes))} molecules of qm9_derived_985, work {budgets} units", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)


if __name__ == "__main__":
    main()
