#!/usr/bin/env python3
"""Where a Fe model's energy errors sit (docs/potentials-benchmark.md, "Bulk iron").

    dotnet src/Milad.Cli/bin/Release/net10.0/Milad.Cli.dll predict ../shared/data/fe/fe_test.xyz \
        --model out/Fe-linear-magnetic.json -o out/Fe-test-predicted.xyz
    python3 examples/potentials/fe_errors.py ../shared/data/fe/fe_test.xyz out/Fe-test-predicted.xyz \
        ../shared/data/fe/fe_train.xyz

Prints the test energy RMSE of the 2-atom cells by their mean magnetic moment (magmom column), the share of
the squared error in each bin, and the groups of identical 2-atom geometries in the test and training files
(cell metric and fractional separation rounded to 1e-3) whose energies differ. Standard library only.
"""
import math
import re
import sys


def frames(path):
    """(atoms, energy per atom, moments, cell rows, positions) of every frame of an extended xyz file."""
    out = []
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines) and lines[i].strip():
        n = int(lines[i])
        header = lines[i + 1]
        energy = float(re.search(r'(?:^|\s)energy=(\S+)', header).group(1))
        cell = [float(x) for x in re.search(r'Lattice="([^"]+)"', header).group(1).split()]
        atoms = [line.split() for line in lines[i + 2:i + 2 + n]]
        positions = [[float(x) for x in a[1:4]] for a in atoms]
        moments = [float(a[-1]) for a in atoms]
        out.append((n, energy / n, moments, [cell[0:3], cell[3:6], cell[6:9]], positions))
        i += n + 2
    return out


def geometry_key(frame):
    """Cell metric and the fractional separation of a 2-atom cell (up to sign and lattice translations)."""
    _, _, _, cell, pos = frame
    metric = [round(sum(cell[a][k] * cell[b][k] for k in range(3)), 3) for a in range(3) for b in range(3)]
    d = [pos[1][k] - pos[0][k] for k in range(3)]
    # Fractional coordinates: solve cell^T s = d by Cramer's rule.
    m = [[cell[r][c] for r in range(3)] for c in range(3)]
    det = lambda x: (x[0][0] * (x[1][1] * x[2][2] - x[1][2] * x[2][1]) - x[0][1] * (x[1][0] * x[2][2] - x[1][2] * x[2][0])
                     + x[0][2] * (x[1][0] * x[2][1] - x[1][1] * x[2][0]))
    full = det(m)
    s = []
    for k in range(3):
        mk = [[d[r] if c == k else m[r][c] for c in range(3)] for r in range(3)]
        f = det(mk) / full
        f = abs(f - round(f))
        s.append(round(min(f, 1 - f), 3))
    return tuple(metric + s)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    reference, predicted = frames(sys.argv[1]), frames(sys.argv[2])
    if len(reference) != len(predicted):
        sys.exit(f"{sys.argv[2]}: {len(predicted)} frames, {sys.argv[1]} has {len(reference)}")
    errors = [1000 * (p[1] - r[1]) for r, p in zip(reference, predicted)]
    total = sum(e * e for e in errors)
    print(f"energy RMSE {math.sqrt(total / len(errors)):.2f} meV/atom over {len(errors)} frames")
    bins = [(0, 0.05), (0.05, 0.5), (0.5, 1.5), (1.5, 2.3), (2.3, 99)]
    print("2-atom cells by mean moment (muB): frames, energy RMSE (meV/atom), share of all squared error, RMSE without them")
    for lo, hi in bins:
        e = [err for r, err in zip(reference, errors) if r[0] == 2 and lo <= sum(r[2]) / 2 < hi]
        if not e:
            continue
        sq = sum(x * x for x in e)
        rest = math.sqrt((total - sq) / (len(errors) - len(e)))
        print(f"  {lo:4.2f}-{hi:4.2f}: {len(e):4d}  {math.sqrt(sq / len(e)):6.1f}  {100 * sq / total:5.1f} %  {rest:5.2f}")
    if len(sys.argv) > 3:
        groups = {}
        for name, source in (("test", reference), ("train", frames(sys.argv[3]))):
            for index, f in enumerate(source):
                if f[0] == 2:
                    groups.setdefault(geometry_key(f), []).append((name, index, f[1], sum(f[2]) / 2))
        repeated = [g for g in groups.values() if len(g) > 1]
        floor = 0.0
        for g in repeated:
            test = [e for name, _, e, _ in g if name == "test"]
            if len(test) > 1:
                mean = sum(test) / len(test)
                floor += sum((1000 * (e - mean)) ** 2 for e in test)
        print(f"{len(repeated)} groups of identical 2-atom geometries; the floor their test members put on the test RMSE: "
              f"{math.sqrt(floor / len(errors)):.3f} meV/atom")
        for g in repeated:
            energies = [e for _, _, e, _ in g]
            spread = 1000 * (max(energies) - min(energies))
            if spread > 10:
                members = ", ".join(f"{name} {index} ({e:.4f} eV/atom, {m:.2f} muB)" for name, index, e, m in g)
                print(f"  differ by {spread:5.1f} meV/atom: {members}")


if __name__ == "__main__":
    main()
