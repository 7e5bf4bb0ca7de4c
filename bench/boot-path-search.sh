#!/usr/bin/env bash
# What the agent jar on the boot class path costs the host's own class loading (BENCHMARKS.md,
# "Session 9"): the demo server without any agent, launch to its first 200 from /healthz, with
# and without -Xbootclasspath/a naming the agent jar (which is what its Boot-Class-Path entry
# amounts to, mode=off included: every class a parent-first loader loads is looked up in the
# jar's index first). Interleaved rounds; CPU of the JVM until then (utime+stime) and wall, medians.
#
#   RUNS=15 bench/boot-path-search.sh
#
# Needs: mvn -B -o -q -pl agent,demo-app -am package -DskipTests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
agent=${AGENT:-$root/agent/target/safeload-agent.jar}
demo=${DEMO:-$root/demo-app/target/safeload-demo.jar}
for f in "$agent" "$demo"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl agent,demo-app -am package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d /tmp/safeload-bootpath.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $("$java" -version 2>&1 | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_DIR="$root/bench" python3 - "$java" "$agent" "$demo" "$work" "${RUNS:-15}" <<'PY'
import os, statistics, sys
sys.path.insert(0, os.environ["BENCH_DIR"])
from firsthealthz import first_healthz
java, agent, demo, work, runs = sys.argv[1:6]
configs = {"plain": [], "boot path": ["-Xbootclasspath/a:" + agent]}

def once(extra):
    return first_healthz([java, "-Djava.io.tmpdir=" + work] + extra + ["-jar", demo, "--port", "0"],
                         os.path.join(work, "out"), os.path.join(work, "err"), "the demo")

res = {c: [] for c in configs}
for r in range(int(runs)):
    for c, extra in (configs.items() if r % 2 == 0 else reversed(list(configs.items()))):
        res[c].append(once(extra))
ratios = [b[1] / a[1] for a, b in zip(res["plain"], res["boot path"]) if a[1] > 0]
print("| demo server, no agent | runs | CPU median (s) | wall median (s) |")
print("|---|---:|---:|---:|")
for c in configs:
    print(f"| {c} | {len(res[c])} | {statistics.median(x[1] for x in res[c]):.3f} | {statistics.median(x[0] for x in res[c]):.3f} |")
print(f"median of pairwise CPU ratios (boot path / plain): {statistics.median(ratios):.3f}")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
