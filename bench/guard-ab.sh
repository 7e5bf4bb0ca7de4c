#!/usr/bin/env bash
# A/B of agent jars in steady state, by CPU time per read: SteadyStateProbe in one plain JVM per
# configuration and workload (no agent, then each jar in enforce mode with the default policy),
# the configurations rotated each round. On a shared machine a JVM that waits for a core spends
# wall time but no CPU, so the CPU time per read stays comparable when reads/s does not; a
# neighbour still shares caches and memory bandwidth, hence several rounds and pairwise ratios.
#
#   bench/guard-ab.sh                          # no agent against agent/target/safeload-agent.jar
#   bench/guard-ab.sh /tmp/old-agent.jar       # ... and against an older jar too
#   ROUNDS=5 WARMUP=5 BATCHES=5 WORKLOADS="graph rpc" bench/guard-ab.sh   # the defaults
#   PARALLEL=1 bench/guard-ab.sh OLD.jar       # a round's JVMs side by side (bench/lib/probe-rounds.sh)
#
# Needs: mvn -B -o -q -pl benchmarks -am package -DskipTests, and python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
rounds=${ROUNDS:-5}
warmup=${WARMUP:-5}
batches=${BATCHES:-5}
workloads=${WORKLOADS:-graph rpc}
probe="$root/benchmarks/target/benchmarks-startup.jar"
jars=("$root/agent/target/safeload-agent.jar" "$@")
for f in "$probe" "${jars[@]}"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl benchmarks -am package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d /tmp/safeload-guard-ab.XXXXXX)
trap 'rm -rf "$work"' EXIT

probe_run() { # config workload: runs one JVM, which prints its line
  local c=$1 w=$2
  local cmd=("$java")
  if [[ $c != none ]]; then cmd+=("-javaagent:${jars[${c#jar}]}=log=$work/$c.jsonl"); fi
  "${cmd[@]}" -cp "$probe" dev.safeload.bench.serial.SteadyStateProbe "$w" "$warmup" "$batches"
}
source "$root/bench/lib/probe-rounds.sh"
probe_header
probe_rounds

python3 - "$work/runs" <<'PY'
import statistics, sys
# Per JVM: the median and the fastest batch's CPU time per read. Load from other jobs only adds
# CPU time (cache and memory contention), so the fastest batch is the steadier figure when busy.
runs = {}
for line in open(sys.argv[1]):
    f = line.split()
    rnd, config, workload = f[0], f[1], f[2]
    at = f.index("cpu")
    runs.setdefault((workload, config), {})[rnd] = (float(f[4]), float(f[at + 1]), float(f[at + 4]),
                                                    float(f[f.index("alloc") + 1]))
print("\n| workload | configuration | CPU µs/read: median JVM (each JVM's median) | vs none, median of rounds (range) "
      "| fastest batch, median JVM | vs none | reads/s median | allocated B/read (each JVM) |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for workload in sorted({w for w, _ in runs}, reverse=True):
    base = runs[(workload, "none")]
    for config in sorted({c for w, c in runs if w == workload}, key=lambda c: (c != "none", c)):
        mine = runs[(workload, config)]
        rounds = [r for r in sorted(mine) if r in base]
        cpus = [mine[r][1] for r in sorted(mine)]
        ratios = [mine[r][1] / base[r][1] for r in rounds]
        fastest = statistics.median(mine[r][2] for r in mine)
        fast_ratios = [mine[r][2] / base[r][2] for r in rounds]
        print(f"| {workload} | {config} | {statistics.median(cpus) / 1000:,.1f} ({', '.join(f'{c / 1000:,.1f}' for c in cpus)}) "
              f"| {statistics.median(ratios):.3f}× ({min(ratios):.3f}–{max(ratios):.3f}) "
              f"| {fastest / 1000:,.1f} | {statistics.median(fast_ratios):.3f}× "
              f"| {statistics.median(mine[r][0] for r in mine):,.0f} "
              f"| {', '.join(f'{mine[r][3]:,.0f}' for r in sorted(mine))} |")
PY
