#!/usr/bin/env bash
# A/B of agent builds on DocumentReadBenchmark's two reads (a Jackson polymorphic read, a
# SnakeYAML load of a tagged config), by CPU time per read: DocumentProbe in one plain JVM per
# configuration and workload (no agent, then each agent jar in enforce mode with the DTOs
# allowed), the configurations rotated each round. On a shared machine CPU time per read stays
# comparable where reads/s does not (a JVM waiting for a core spends no CPU); a neighbour still
# shares caches, hence rounds and per-round ratios.
#
#   bench/documents-ab.sh                      # no agent against agent/target/safeload-agent.jar
#   bench/documents-ab.sh /tmp/old-agent.jar   # ... and against an older jar too
#   ROUNDS=5 WARMUP=8 BATCHES=40 WORKLOADS="jackson yaml" bench/documents-ab.sh   # the defaults
#   PARALLEL=1 bench/documents-ab.sh OLD.jar   # a round's JVMs side by side, not one after another
#
# Per JVM the probe reports the median and the fastest tenth of its batches (about 0.1 s each):
# two vCPUs may be one core's two threads, and a batch run beside a busy sibling costs up to
# twice the CPU, so on a shared machine the tenth percentile is the steadier figure.
#
# The probe runs from benchmarks-startup.jar, which holds none of the agent's classes: in
# benchmarks.jar (bench/documents.sh) a copy of this tree's agent classes comes first on the
# class path, so swapping only the -javaagent jar there measures this tree's code both times.
#
# Needs: mvn -B -o -q -pl agent,benchmarks -am package -DskipTests, python3, and Jackson and
# SnakeYAML 1.33 in ~/.m2 (the benchmarks module's own dependencies).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
rounds=${ROUNDS:-5}
warmup=${WARMUP:-8}
batches=${BATCHES:-40}
workloads=${WORKLOADS:-jackson yaml}
probe="$root/benchmarks/target/benchmarks-startup.jar"
m2=${M2_REPO:-$HOME/.m2/repository}
jackson=$(sed -n 's:.*<jackson.version>\(.*\)</jackson.version>.*:\1:p' "$root/pom.xml")
annotations=${jackson%.*}   # jackson-annotations is versioned 2.N since 2.20
[[ -d $m2/com/fasterxml/jackson/core/jackson-annotations/$annotations ]] || annotations=$jackson
cp="$probe:$m2/com/fasterxml/jackson/core/jackson-databind/$jackson/jackson-databind-$jackson.jar"
cp+=":$m2/com/fasterxml/jackson/core/jackson-core/$jackson/jackson-core-$jackson.jar"
cp+=":$m2/com/fasterxml/jackson/core/jackson-annotations/$annotations/jackson-annotations-$annotations.jar"
cp+=":$m2/org/yaml/snakeyaml/1.33/snakeyaml-1.33.jar"
jars=("$root/agent/target/safeload-agent.jar" "$@")
for f in ${cp//:/ } "${jars[@]}"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl agent,benchmarks -am package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d /tmp/safeload-documents-ab.XXXXXX)
trap 'rm -rf "$work"' EXIT
allow='dev.safeload.bench.documents.Order;dev.safeload.bench.documents.Order$LineItem;dev.safeload.bench.documents.ServiceConfig'

probe_run() { # config workload: runs one JVM, which prints its line
  local c=$1 w=$2 mode=none
  local cmd=("$java" -Xms512m -Xmx512m)
  if [[ $c != none ]]; then cmd+=("-javaagent:${jars[${c#jar}]}=serial.allow=$allow,log=$work/$c.jsonl"); mode=agent; fi
  "${cmd[@]}" -cp "$cp" dev.safeload.bench.documents.DocumentProbe "$w" "$mode" "$warmup" "$batches"
}
source "$root/bench/lib/probe-rounds.sh"
probe_header
probe_rounds

python3 - "$work/runs" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = line.split()
    rnd, config, workload = f[0], f[1], f[2]
    runs.setdefault((workload, config), {})[rnd] = (float(f[4]), float(f[7]), float(f[11]))
print("\n| workload | configuration | CPU ns/read, median batch (each JVM) | vs none, median of rounds (range) "
      "| fastest tenth (p10), median JVM (each JVM) | vs none, median of rounds (range) | allocated B/read |")
print("|---|---|---:|---:|---:|---:|---:|")
for workload in sorted({w for w, _ in runs}):
    base = runs[(workload, "none")]
    for config in sorted({c for w, c in runs if w == workload}, key=lambda c: (c != "none", c)):
        mine = runs[(workload, config)]
        rounds = [r for r in sorted(mine) if r in base]
        cpus = [mine[r][0] for r in sorted(mine)]
        ratios = [mine[r][0] / base[r][0] for r in rounds]
        fast_ratios = [mine[r][1] / base[r][1] for r in rounds]
        print(f"| {workload} | {config} | {statistics.median(cpus):,.0f} ({', '.join(f'{c:,.0f}' for c in cpus)}) "
              f"| {statistics.median(ratios):.3f}× ({min(ratios):.3f}–{max(ratios):.3f}) "
              f"| {statistics.median(mine[r][1] for r in mine):,.0f} ({', '.join(f'{mine[r][1]:,.0f}' for r in sorted(mine))}) "
              f"| {statistics.median(fast_ratios):.3f}× ({min(fast_ratios):.3f}–{max(fast_ratios):.3f}) "
              f"| {statistics.median(mine[r][2] for r in mine):,.0f} |")
PY
