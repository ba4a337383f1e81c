#!/usr/bin/python3
"""Energies, forces and stresses of structures through ASE's SocketIOCalculator (an i-PI server) and a client
such as `milad drive`, written as JSON with every number at full precision.

For each frame the script opens a server, prints "listening" (flushed) and, with --client, starts the client
command (the same socket options go to both); it then evaluates the frame and, with --variants, a rattled and
a strained copy (only positions and cell may change over one connection), sends EXIT with --exit (otherwise it
just closes the socket, as ASE does), and waits for the client to end.

    /usr/bin/python3 examples/md/ase_socket.py --frames ../shared/data/mlearn/Mo_test.xyz --index 15 \
        --unix milad_demo --variants --exit --output ase.json \
        --client "milad drive --model Mo.json --unix milad_demo"
"""
import argparse
import json
import shlex
import subprocess
import sys

import numpy as np
from ase.calculators.socketio import SocketIOCalculator
from ase.io import read


def variants(atoms, enabled):
    yield atoms.copy()
    if not enabled:
        return
    rattled = atoms.copy()
    rattled.rattle(stdev=0.05, seed=7)
    yield rattled
    strained = rattled.copy()
    strain = np.eye(3) + np.array([[0.01, 0.004, 0.0], [0.004, -0.008, 0.002], [0.0, 0.002, 0.006]])
    strained.set_cell(strained.cell.array @ strain, scale_atoms=True)
    yield strained


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", required=True, help="structure file ASE reads")
    parser.add_argument("--index", default=":", help="ASE index of the frames, e.g. 15 or 0:5 (default: all)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--unix", help="Unix socket name (/tmp/ipi_NAME)")
    where.add_argument("--port", type=int, help="TCP port on this host")
    parser.add_argument("--client", help="client command to start for every frame")
    parser.add_argument("--variants", action="store_true", help="also a rattled and a strained copy of each frame")
    parser.add_argument("--exit", action="store_true", help="send EXIT after each frame's evaluations")
    parser.add_argument("--output", required=True, help="JSON file to write")
    args = parser.parse_args()

    frames = read(args.frames, index=args.index)
    if not isinstance(frames, list):
        frames = [frames]
    results = []
    for frame in frames:
        with SocketIOCalculator(unixsocket=args.unix, port=args.port) as calc:
            print("listening", flush=True)
            client = subprocess.Popen(shlex.split(args.client)) if args.client else None
            for atoms in variants(frame, args.variants):
                atoms.calc = calc
                results.append({
                    "numbers": atoms.numbers.tolist(),
                    "cell": atoms.cell.array.tolist(),
                    "pbc": atoms.pbc.tolist(),
                    "positions": atoms.positions.tolist(),
                    "energy": atoms.get_potential_energy(),
                    "forces": atoms.get_forces().tolist(),
                    "stress": atoms.get_stress(voigt=False).tolist(),
                })
            if args.exit:
                calc.server.protocol.end()
        if client is not None and client.wait() != 0:
            sys.exit(f"client exited with status {client.returncode}")
    with open(args.output, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
