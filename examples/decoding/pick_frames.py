#!/usr/bin/env python3
"""Writes chosen frames of an xyz file (0-based indices) to stdout, in the order given.

    examples/decoding/pick_frames.py ../shared/data/molecules/qm7_even.xyz 119 209 904 > some.xyz
"""
import sys


def frames(path):
    lines = open(path).read().splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        n = int(lines[i])
        yield lines[i:i + n + 2]
        i += n + 2


if __name__ == "__main__":
    path, wanted = sys.argv[1], [int(a) for a in sys.argv[2:]]
    chosen = {}
    for k, frame in enumerate(frames(path)):
        if k in wanted:
            chosen[k] = frame
    for k in wanted:
        sys.stdout.write("\n".join(chosen[k]) + "\n")
