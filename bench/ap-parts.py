"""Splits the main thread's CPU per read of bench/steady-profile.sh's JVMs into parts, and lists
the frames whose own CPU per read differs most from the first configuration's.

    python3 bench/ap-parts.py OUT_FOLDER none jar0 [jar1 ...]

Only the main thread's stacks count (those under SteadyProfile.main). Each JVM's samples are
scaled to its own measured CPU per read (reads-CONFIG-ROUND): a frame's
share of the main thread's samples times that figure. Frames are annotated as async-profiler
wrote them: _[j] compiled on its own, _[i] inlined into its caller, _[0] interpreted, _[1] C1.
"""
import collections
import glob
import re
import statistics
import sys

folder, configs = sys.argv[1], sys.argv[2:]


def part(stack):
    frames = stack.split(";")
    names = [re.sub(r"_\[.\]$", "", f) for f in frames]
    if any(n.startswith("dev/safeload/serial/ThreadCpuClock") for n in names):
        return "guard: the CPU clock (/proc read)"
    if any(n.startswith("dev/safeload/") for n in names):
        return "guard: the agent's other code"
    if "java/io/ObjectInputStream.filterCheck" in names:
        return "filterCheck's own code (the edit's entry, FilterInfo)"
    if any(f.endswith("_[k]") for f in frames[-3:]):
        return "kernel (interrupts, preemption)"
    return "the JDK's read code, the rest"


parts, selfs = {}, {}
for config in configs:
    for f in sorted(glob.glob(f"{folder}/ap-{config}-*.txt")):
        cpu = float(open(f.replace("/ap-", "/reads-").removesuffix(".txt")).read().split()[3])
        by_part, by_frame, total = collections.Counter(), collections.Counter(), 0
        for line in open(f):
            stack, count = line.rsplit(" ", 1)
            if "SteadyProfile.main" not in stack:
                continue  # another thread: the JIT, GC
            count = int(count)
            total += count
            by_part[part(stack)] += count
            by_frame[stack.rsplit(";", 1)[-1]] += count
        parts.setdefault(config, []).append({k: v / total * cpu for k, v in by_part.items()} | {"total (measured)": cpu})
        selfs.setdefault(config, []).append({k: v / total * cpu for k, v in by_frame.items()})

print("\nMain thread, CPU µs per read: median over JVMs (each JVM)\n")
print("| part | " + " | ".join(configs) + " |")
print("|---|" + "---:|" * len(configs))
for k in sorted({k for c in parts for d in parts[c] for k in d}):
    cells = [f"{statistics.median(d.get(k, 0) for d in parts[c]):,.0f} ("
             + ", ".join(f"{d.get(k, 0):,.0f}" for d in parts[c]) + ")" for c in configs]
    print(f"| {k} | " + " | ".join(cells) + " |")


def med(config, frame):
    return statistics.median(d.get(frame, 0) for d in selfs[config])


print(f"\nOwn (self) CPU µs per read by frame, median over JVMs, largest differences from {configs[0]}\n")
frames = {k for c in selfs for d in selfs[c] for k in d}
for config in configs[1:]:
    print(f"{configs[0]:>8} {config:>8}  frame")
    for k in sorted(frames, key=lambda k: -abs(med(config, k) - med(configs[0], k)))[:25]:
        print(f"{med(configs[0], k):8.1f} {med(config, k):8.1f}  {k}")
