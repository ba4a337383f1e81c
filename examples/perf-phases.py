#!/usr/bin/env python3
"""Where the CPU of `milad fingerprint` goes, from perf samples with call chains.

Usage (docs/performance-cli.md):
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -F 1999 -g -o perf.data \\
      taskset -c 1 milad fingerprint /tmp/qm9_100k.xyz -o /tmp/fp.npy --preset paper --threads 1
  perf script -i perf.data | examples/perf-phases.py [ITEMS [HZ]]
Prints the share of samples per phase and, given ITEMS (molecules or environments) and the sampling rate
(default 1999 Hz), microseconds of CPU per item. A sample goes to the first phase, in the order below,
that any frame of its call chain belongs to (so the garbage collector is charged to the code that allocated).
"""
import collections, re, sys

PHASES = [  # in order of precedence
    ("sync", r"ManualResetEventSlim|SemaphoreSlim|BlockingCollection|SpinWait|sched_yield|futex|Monitor|LowLevelLifoSemaphore"),
    ("jit", r"libclrjit"),
    ("start-up", r"Presets|InvariantSet(::|__)(Build|\.ctor|_ctor)|Descriptor(::\.ctor|___ctor)|RehydrateData"),
    ("cut", r"ExtendedXyzChunks(::|__)(ReadFile|Append)|ExtendedXyzChunks\+<ReadFile|ExtendedXyzChunks__ReadFile"),
    ("format", r"FingerprintSink\S*(::|__)Format|JsonText(::|__)|PooledBytes(::|__)"),
    ("write", r"FingerprintSink\S*(::|__)(Append|Commit)|AtomicFile(::|__)|ksys_write|vfs_write"),
    ("encode", r"Milad[._](Invariants|Moments|Fingerprints|Geometry|Neighbours)|BlockEncoder(::|__)Encode(Values|One)"),
    ("parse", r"Milad[._]IO[._]|FrameBlock(::|__)Parse|ExtendedXyzParser|KeyValueLine|DecimalNumber|XyzColumns|Structure(::\.ctor|___ctor)"),
    ("read", r"ksys_read|vfs_read|StreamReader"),
]
PHASES = [(name, re.compile(rx)) for name, rx in PHASES]

counts, total, stack = collections.Counter(), 0, []

def flush():
    global total
    if not stack:
        return
    total += 1
    phase = next((name for name, rx in PHASES if any(rx.search(f) for f in stack)), None)
    if phase is None:
        phase = "other (kernel)" if "[kernel" in stack[0] else "other (runtime)"
    counts[phase] += 1

for line in sys.stdin:
    if not line.strip():
        flush(); stack = []
    elif line[0] not in " \t":
        stack = []  # a sample's header line
    else:
        frame = line.strip()
        m = re.search(r"([\w.`+<>\[\]]+::[\w.<>`|]+)\(", frame)  # JIT frames: Type::Method, without the signature
        stack.append(m.group(1) if m else frame)
flush()

items = float(sys.argv[1]) if len(sys.argv) > 1 else None
hz = float(sys.argv[2]) if len(sys.argv) > 2 else 1999.0
us = total / hz / items * 1e6 if items else None
for phase, n in counts.most_common():
    share = 100.0 * n / total
    print(f"{phase:16s} {share:5.1f} %" + (f"  {share * us / 100:6.2f} us/item" if us else ""))
print(f"samples {total}" + (f", {us:.2f} us of CPU per item" if us else ""))
