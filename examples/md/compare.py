#!/usr/bin/python3
"""Same numbers through every door: compares energies, forces and stresses of JSON results (lammps_kim.py,
ase_socket.py) with `milad predict`'s extended xyz of the same frames, frame by frame.

    /usr/bin/python3 examples/md/compare.py predict.xyz lammps.json ase.json [--tolerance 1e-8]

Deviations are relative: |dE| / |E|, max |dF| / max |F| and max |dS| / max |S| over the frame (so components near
zero are measured against the frame's scale). Per-atom energies, when a JSON has them, are compared with
`milad predict`'s per-atom energies when its file has them, else their sum with the energy. Exit status 1 when a
deviation exceeds the tolerance.
"""
import argparse
import json
import sys

import numpy as np
from ase.io import read


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("predict", help="extended xyz written by milad predict")
    parser.add_argument("results", nargs="+", help="JSON files of results for the same frames")
    parser.add_argument("--tolerance", type=float, default=1e-8)
    args = parser.parse_args()
    reference = read(args.predict, index=":")
    worst = 0.0
    for path in args.results:
        with open(path) as f:
            results = json.load(f)
        if len(results) != len(reference):
            sys.exit(f"{path}: {len(results)} frames, {args.predict}: {len(reference)}")
        e = f_ = s = pe = 0.0
        for r, atoms in zip(results, reference):
            if not np.allclose(np.array(r["positions"]), atoms.positions, atol=1e-9):
                sys.exit(f"{path}: frame positions differ from {args.predict}'s")
            energy = atoms.get_potential_energy()
            forces = atoms.get_forces()
            stress = atoms.get_stress(voigt=False)
            e = max(e, abs(r["energy"] - energy) / abs(energy))
            f_ = max(f_, np.abs(np.array(r["forces"]) - forces).max() / np.abs(forces).max())
            s = max(s, np.abs(np.array(r["stress"]) - stress).max() / np.abs(stress).max())
            if "energies" in r:
                pe = max(pe, abs(sum(r["energies"]) - energy) / abs(energy))
        line = f"{path}: {len(results)} frames; largest relative deviation: energy {e:.1e}, forces {f_:.1e}, stress {s:.1e}"
        if "energies" in results[0]:
            line += f", sum of per-atom energies {pe:.1e}"
        print(line)
        worst = max(worst, e, f_, s, pe)
    if worst > args.tolerance:
        sys.exit(f"largest deviation {worst:.1e} exceeds {args.tolerance:.0e}")


if __name__ == "__main__":
    main()
