#!/usr/bin/python3
"""Test errors of results (lammps_kim.py or ase_socket.py JSON, or extended xyz from `milad predict`) against the
DFT energies and forces of the same frames, as `milad train` reports them: energy MAE and RMSE per atom (meV/atom),
force-component MAE and RMSE (eV/A).

    /usr/bin/python3 examples/md/errors.py ../shared/data/mlearn/Mo_test.xyz snap.json qsnap.json milad.xyz
"""
import argparse
import json

import numpy as np
from ase.io import read


def load(path):
    if path.endswith(".json"):
        with open(path) as f:
            return [(r["energy"], np.array(r["forces"])) for r in json.load(f)]
    return [(a.get_potential_energy(), a.get_forces()) for a in read(path, index=":")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("reference", help="frames with DFT energies and forces")
    parser.add_argument("results", nargs="+")
    args = parser.parse_args()
    # The mlearn files name the DFT forces column "force", which ASE does not take for forces.
    reference = [(a.get_potential_energy(), a.arrays["force"] if "force" in a.arrays else a.get_forces(), len(a))
                 for a in read(args.reference, index=":")]
    print("| results | frames | energy MAE (meV/atom) | energy RMSE (meV/atom) | force MAE (eV/A) | force RMSE (eV/A) |")
    print("|---|---|---|---|---|---|")
    for path in args.results:
        results = load(path)
        if len(results) != len(reference):
            raise SystemExit(f"{path}: {len(results)} frames, {args.reference}: {len(reference)}")
        de = np.array([(e - e0) / n for (e, _), (e0, _, n) in zip(results, reference)]) * 1000
        df = np.concatenate([(f - f0).ravel() for (_, f), (_, f0, _) in zip(results, reference)])
        print(f"| {path} | {len(results)} | {np.abs(de).mean():.2f} | {np.sqrt((de ** 2).mean()):.2f} | "
              f"{np.abs(df).mean():.4f} | {np.sqrt((df ** 2).mean()):.4f} |")


if __name__ == "__main__":
    main()
