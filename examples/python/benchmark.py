"""What the Python boundary costs: the same work from Python (libmilad.so), the milad command and C# in-process.

    /usr/bin/python3 examples/python/benchmark.py [--model MODEL.json]

Single thread everywhere (milad.set_threads(1), --threads 1). Without --model, a linear Mo model with the trainer's
default descriptor is trained first (as `milad bench` trains its own). Prints a markdown table.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import ase
import ase.io
import numpy as np

import milad
from milad.ase import MiladCalculator

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(REPO, "..", "shared", "data")
CLI = os.path.join(REPO, "src", "Milad.Cli", "bin", "Release", "net10.0", "Milad.Cli.dll")


def cli(*args):
    start = time.perf_counter()
    subprocess.run(["dotnet", CLI, *map(str, args)], check=True, capture_output=True)
    return time.perf_counter() - start


def best(f, repeat):
    """Median seconds of f() over repeat calls (after one warm-up call)."""
    f()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    args = parser.parse_args()
    if not os.path.exists(CLI):
        subprocess.run(["dotnet", "build", os.path.join(REPO, "src", "Milad.Cli"), "-c", "Release", "-v", "q"], check=True)
    work = tempfile.mkdtemp()
    model = args.model or os.path.join(work, "mo.json")
    if not args.model:
        cli("train", "--train", os.path.join(DATA, "mlearn", "Mo_train.xyz"), "--test", os.path.join(DATA, "mlearn", "Mo_test.xyz"),
            "--model", model, "--threads", 1)
    milad.set_threads(1)
    rows = []

    # One QM9 molecule (paper preset, n_max 7).
    qm9 = ase.io.read(os.path.join(DATA, "molecules", "qm9_first100.xyz"), index=":")
    d = milad.Descriptor(preset="paper")
    m = qm9[50]
    one = best(lambda: d.fingerprint(m), 2000)
    arrays = (m.numbers.copy(), m.positions.copy())
    one_arrays = best(lambda: d.fingerprint(arrays), 2000)

    # 1,000 molecules (QM7, 4-23 atoms).
    qm7 = ase.io.read(os.path.join(DATA, "molecules", "qm7_even.xyz"), index=":1000")
    source = os.path.join(work, "qm7_1000.xyz")
    ase.io.write(source, qm7, format="extxyz")
    batch = best(lambda: d.fingerprint(qm7), 5)
    loop = best(lambda: [d.fingerprint(a) for a in qm7], 3)
    command = min(cli("fingerprint", source, "--output", os.path.join(work, "fp.npy"), "--preset", "paper", "--threads", 1) for _ in range(3))
    ase.io.write(os.path.join(work, "one.xyz"), m, format="extxyz")
    command_start = min(cli("fingerprint", os.path.join(work, "one.xyz"), "--output", os.path.join(work, "one.npy"),
                            "--preset", "paper", "--threads", 1) for _ in range(3))

    # Energy + forces + stress of a 128-atom Mo cell.
    cell = mo_cell()
    calc = MiladCalculator(model)
    potential = calc.potential

    def through_ase():
        cell.calc = calc
        calc.reset()
        cell.get_forces()

    ef_ase = best(through_ase, 20)
    ef_direct = best(lambda: potential.compute(cell), 20)
    frames = os.path.join(work, "cells.xyz")
    ase.io.write(frames, [cell] * 50, format="extxyz")
    predict = min(cli("predict", "--model", model, frames, "--output", os.path.join(work, "pred.xyz")) for _ in range(2))

    # C# in-process: milad bench (same library, no boundary).
    bench_json = os.path.join(work, "bench.json")
    cli("bench", "--only", "molecules-nmax7,predict-energy-forces", "--threads", 1, "--json", bench_json)
    bench = json.load(open(bench_json))

    print("| work | Python (libmilad.so) | milad command (wall, 1 thread) | C# in-process (milad bench) |")
    print("|---|---|---|---|")
    print(f"| one QM9 molecule ({len(m)} atoms), paper preset | {1e6 * one:.1f} us per call (ase.Atoms), {1e6 * one_arrays:.1f} us (arrays) "
          f"| {command_start:.2f} s for a file of one molecule (start-up) | see next row |")
    print(f"| 1,000 QM7 molecules | {1000 * batch:.1f} ms as one batch ({1e6 * batch / 1000:.1f} us each); {1000 * loop:.0f} ms one call each "
          f"| {command:.2f} s (.npy output) | {_rate(bench, 'molecules-nmax7')} |")
    print(f"| energy + forces + stress, 128-atom Mo cell | {1000 * ef_direct:.1f} ms (Potential.compute, {1e6 * ef_direct / 128:.0f} us per atom), "
          f"{1000 * ef_ase:.1f} ms (ASE get_forces) "
          f"| {predict:.2f} s for 50 such cells ({1000 * predict / 50:.1f} ms each incl. start-up and I/O) | {_rate(bench, 'predict-energy-forces')} |")
    print(f"\nmodel: {model}; libmilad {milad.library_version()}; energy of the 128-atom cell {potential.compute(cell)['energy']!r} eV")
    return 0


def mo_cell():
    """bcc Mo, a = 3.16 A, 4 x 4 x 4 cubic cells (128 atoms), atom i moved by 0.05 (sin 1.3i, cos 0.7i, sin(2.1i + 0.5)) A:
    the cell of bench/Milad.Benchmarks/BoundaryBenchmarks.cs."""
    a = 3.16
    positions = []
    for i in range(4):
        for j in range(4):
            for k in range(4):
                for b in (0.0, 0.5):
                    n = len(positions)
                    positions.append(a * np.array([i + b, j + b, k + b]) + 0.05 * np.array([np.sin(1.3 * n), np.cos(0.7 * n), np.sin(2.1 * n + 0.5)]))
    return ase.Atoms("Mo128", positions=positions, cell=np.eye(3) * 4 * a, pbc=True)


def _rate(bench, name):
    for b in bench["results"]:
        if b["name"] == name:
            rate = b["items_per_second"]
            return f"{rate:,.0f} {b['unit']}/s ({1e6 / rate:.1f} us per {b['unit'].rstrip('s')}; {b['description']})"
    return "(not measured)"


if __name__ == "__main__":
    sys.exit(main())
