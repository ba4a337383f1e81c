#!/usr/bin/python3
"""Energy conservation of an NVE run: reads the thermo table of a LAMMPS log (in.mo-nve writes step, time, temp,
pe, ke, etotal, press), fits a line to the total energy per atom, and prints the drift (meV/atom/ps) and the
fluctuation (standard deviation about the line, meV/atom); with --plot, a PNG of the total, potential and kinetic
energies per atom and the temperature.

    /usr/bin/python3 examples/md/nve_plot.py nve.log --atoms 2000 --plot nve.png
"""
import argparse

import numpy as np


def thermo(path):
    rows, header = [], None
    with open(path) as f:
        for line in f:
            words = line.split()
            if words[:2] == ["Step", "Time"]:
                header = words
                continue
            if header and len(words) == len(header):
                try:
                    rows.append([float(w) for w in words])
                except ValueError:
                    header = None
            elif header:
                header = None
    return np.array(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("log")
    parser.add_argument("--atoms", type=int, required=True)
    parser.add_argument("--plot")
    parser.add_argument("--title", default="NVE")
    args = parser.parse_args()
    t = thermo(args.log)
    time, temp, pe, ke, etotal = t[:, 1], t[:, 2], t[:, 3], t[:, 4], t[:, 5]
    e = 1000 * etotal / args.atoms  # meV/atom
    slope, intercept = np.polyfit(time, e, 1)
    fluctuation = np.std(e - (slope * time + intercept))
    print(f"{len(t)} samples over {time[-1] - time[0]:.3f} ps; mean temperature {temp[len(temp) // 2:].mean():.0f} K "
          f"(second half); drift {slope:.1e} meV/atom/ps; fluctuation {fluctuation:.4f} meV/atom; "
          f"largest excursion {np.abs(e - e[0]).max():.4f} meV/atom")
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(3, 1, figsize=(7, 8), sharex=True)
        axes[0].plot(time, e - e[0], lw=1)
        axes[0].plot(time, slope * time + intercept - e[0], "k--", lw=0.8, label=f"drift {slope:.3f} meV/atom/ps")
        axes[0].set_ylabel("E_total - E_total(0)\n(meV/atom)")
        axes[0].legend()
        axes[1].plot(time, 1000 * (pe - pe[0]) / args.atoms, label="potential")
        axes[1].plot(time, 1000 * (ke - ke[0]) / args.atoms, label="kinetic")
        axes[1].set_ylabel("change (meV/atom)")
        axes[1].legend()
        axes[2].plot(time, temp)
        axes[2].set_ylabel("T (K)")
        axes[2].set_xlabel("time (ps)")
        axes[0].set_title(args.title)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)


if __name__ == "__main__":
    main()
