#!/usr/bin/env bash
# Start-up A/B of agent jars: the single-map probe (ReadOneSerializedMap reads one serialized map
# and exits) with each jar in enforce mode, the jars alternated start by start so that a
# neighbour's load hits them alike. Wall time from time.perf_counter_ns, CPU (user+sys) from the
# child's rusage; the ratio is the median of each round's ratio to the first jar.
#
#   bench/startup-ab.sh OLD.jar [NEW.jar]     # NEW defaults to agent/target/safeload-agent.jar
#   STARTS=15 bench/startup-ab.sh OLD.jar     # the default
#
# Needs: mvn -B -o -q -pl benchmarks -am package -DskipTests, and python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
probe="$root/benchmarks/target/benchmarks-startup.jar"
old=${1:?usage: bench/startup-ab.sh OLD.jar [NEW.jar]}
new=${2:-$root/agent/target/safeload-agent.jar}
for f in "$probe" "$old" "$new"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl benchmarks -am package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d /tmp/safeload-startup-ab.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $("$java" -version 2>&1 | head -1); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$java" "$probe" "$old" "$new" "${STARTS:-15}" "$work" <<'PY'
import os, statistics, subprocess, sys, time
java, probe, old, new, starts, work = sys.argv[1:7]
main = "dev.safeload.bench.startup.ReadOneSerializedMap"
ser = os.path.join(work, "map.ser")
subprocess.run([java, "-cp", probe, main, "write", ser], check=True)
jars = {"old": old, "new": new}
def once(name):
    cmd = [java, f"-javaagent:{jars[name]}=log={os.path.join(work, name + '.jsonl')}", "-cp", probe, main, ser]
    t0 = time.perf_counter_ns()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit(f"{cmd} failed with status {status}")
    return (time.perf_counter_ns() - t0) / 1e9, usage.ru_utime + usage.ru_stime
for name in jars:
    once(name)  # page cache
runs = {name: [] for name in jars}
for i in range(int(starts)):
    for name in (("old", "new") if i % 2 == 0 else ("new", "old")):
        runs[name].append(once(name))
print(f"old: {old}\nnew: {new}\n")
print("| jar | wall median (min–max) | CPU median (min–max) |")
print("|---|---:|---:|")
for name in jars:
    w = [x for x, _ in runs[name]]
    c = [y for _, y in runs[name]]
    print(f"| {name} | {statistics.median(w):.3f} s ({min(w):.3f}–{max(w):.3f}) "
          f"| {statistics.median(c):.3f} s ({min(c):.3f}–{max(c):.3f}) |")
wr = [n[0] / o[0] for o, n in zip(runs["old"], runs["new"])]
cr = [n[1] / o[1] for o, n in zip(runs["old"], runs["new"])]
print(f"\nnew/old, median of pairwise ratios: wall {statistics.median(wr):.3f}×, CPU {statistics.median(cr):.3f}× ({starts} pairs)")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
