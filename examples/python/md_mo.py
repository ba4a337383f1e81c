"""Velocity Verlet with a Milad potential in ASE: 1,000 steps of a 128-atom bcc Mo cell at 300 K.

    /usr/bin/python3 examples/python/md_mo.py --model MODEL.json [--steps 1000] [--plot docs/python-md.png]

Without --model, a linear Mo model with a pair term is trained first with the milad command (a few seconds).
Prints the total-energy drift and fluctuation per atom; writes the energies against time as a PNG (matplotlib).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from ase import units
from ase.build import bulk
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary
from ase.md.verlet import VelocityVerlet

from milad.ase import MiladCalculator

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(REPO, "..", "shared", "data", "mlearn")


def train(path):
    """The model of the Python tests: n_max 6, 4.5 A cutoff, linear, pair term to 5.5 A."""
    cli = os.path.join(REPO, "src", "Milad.Cli", "bin", "Release", "net10.0", "Milad.Cli.dll")
    if not os.path.exists(cli):
        subprocess.run(["dotnet", "build", os.path.join(REPO, "src", "Milad.Cli"), "-c", "Release", "-v", "q"], check=True)
    subprocess.run(["dotnet", cli, "train", "--train", os.path.join(DATA, "Mo_train.xyz"), "--test",
                    os.path.join(DATA, "Mo_test.xyz"), "--model", path, "--nmax", "6", "--cutoff", "4.5",
                    "--pair-cutoff", "5.5", "--threads", "2"], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--timestep", type=float, default=1.0, help="fs")
    parser.add_argument("--temperature", type=float, default=300.0, help="K")
    parser.add_argument("--plot")
    args = parser.parse_args()
    model = args.model
    if model is None:
        model = os.path.join(tempfile.mkdtemp(), "mo.json")
        train(model)

    atoms = bulk("Mo", "bcc", a=3.16, cubic=True).repeat((4, 4, 4))
    atoms.calc = MiladCalculator(model)
    # Velocities at twice the temperature on the perfect lattice: equipartition gives half of it to the potential
    # energy within a few tens of fs, so the run sits at about the temperature asked for.
    MaxwellBoltzmannDistribution(atoms, temperature_K=2 * args.temperature, rng=np.random.default_rng(2026))
    Stationary(atoms)
    n = len(atoms)
    times, total, potential, kinetic = [], [], [], []

    def record():
        times.append(dyn.get_time() / (1000 * units.fs))
        e, k = atoms.get_potential_energy(), atoms.get_kinetic_energy()
        potential.append(e / n)
        kinetic.append(k / n)
        total.append((e + k) / n)

    dyn = VelocityVerlet(atoms, timestep=args.timestep * units.fs)
    dyn.attach(record, interval=1)
    start = time.perf_counter()
    dyn.run(args.steps)
    seconds = time.perf_counter() - start
    total = np.array(total)
    drift = total[-1] - total[0]
    slope = np.polyfit(times, total, 1)[0]
    print(f"{n} atoms, {args.steps} steps of {args.timestep} fs at {args.temperature} K in {seconds:.1f} s "
          f"({1000 * seconds / args.steps:.1f} ms per step)")
    print(f"total energy: drift (last - first) {1000 * drift:+.4f} meV/atom, fitted slope {1000 * slope:+.4f} meV/atom/ps, "
          f"fluctuation (std) {1000 * np.std(total):.4f} meV/atom, largest excursion {1000 * np.max(np.abs(total - total[0])):.4f} meV/atom")
    print(f"mean temperature {np.mean(kinetic) / (1.5 * units.kB):.0f} K")
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5.5), sharex=True)
        top.plot(times, 1000 * (np.array(potential) - potential[0]), label="potential")
        top.plot(times, 1000 * (np.array(kinetic) - kinetic[0]), label="kinetic")
        top.set_ylabel("energy - start (meV/atom)")
        top.legend()
        bottom.plot(times, 1000 * (total - total[0]), color="black")
        bottom.set_ylabel("total - start (meV/atom)")
        bottom.set_xlabel("time (ps)")
        top.set_title(f"Velocity Verlet, {n} Mo atoms, {args.temperature:.0f} K, {args.timestep} fs steps (Milad potential in ASE)")
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
