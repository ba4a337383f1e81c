#!/usr/bin/env bash
# Usage: examples/repeat-frames.sh FILE.xyz N > OUT.xyz
# Writes N frames: the frames of an (extended) xyz file repeated in order, for throughput and memory
# measurements on inputs of any size, e.g. examples/repeat-frames.sh qm9_first100.xyz 100000 > /tmp/qm9_100000.xyz
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 FILE.xyz N" >&2; exit 2; }
awk -v want="$2" '
  { line[NR] = $0 }
  END {
    # A frame is its atom-count line, the comment line and one line per atom.
    for (k = 1; k <= NR && line[k] + 0 > 0; k += line[k] + 2) start[n++] = k
    for (f = 0; f < want; f++) {
      s = start[f % n]
      for (k = s; k <= s + line[s] + 1; k++) print line[k]
    }
  }' "$1"
