#!/usr/bin/env bash
# Steady-state cost of the SnakeYAML and Jackson hooks (DocumentReadBenchmark): each workload
# with no agent and under the agent in enforce mode, each configuration its own fork in the
# same run, ROUNDS runs one after the other.
#
#   bench/documents.sh                       # ROUNDS=3 runs of -f 1 -wi 3 -i 5 -w 1s -r 1s
#   ROUNDS=5 bench/documents.sh -f 1 -wi 5 -i 10 -w 2s -r 2s
#
# Needs: mvn -B -o -q -pl benchmarks -am package -DskipTests (agent + benchmarks jars).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"   # the forks' @argfiles are relative to the repository root

agent="$root/agent/target/safeload-agent.jar"
jar="$root/benchmarks/target/benchmarks.jar"
for f in "$agent" "$jar"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl benchmarks -am package -DskipTests" >&2; exit 2; }
done
java=${JAVA:-java}
args="$root/benchmarks/target/jvm-args"
mkdir -p "$args"
log=$(mktemp -d /tmp/safeload-bench-log.XXXXXX)
trap 'rm -rf "$log"' EXIT

# JMH's forks read their instructions through ObjectInputStream: its classes are allowed too.
allow='org.openjdk.jmh.**;dev.safeload.bench.documents.Order;dev.safeload.bench.documents.Order$LineItem;dev.safeload.bench.documents.ServiceConfig'
printf '%s\n' "-Dbench.config=no-agent" > "$args/documents-no-agent.args"
printf '%s\n' "-Dbench.config=agent-enforce" "-javaagent:$agent=serial.allow=$allow,log=$log/enforce.jsonl" \
  > "$args/documents-agent-enforce.args"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $("$java" -version 2>&1 | head -1)"
rounds=${ROUNDS:-3}
if [[ $# -eq 0 ]]; then set -- -f 1 -wi 3 -i 5 -w 1s -r 1s; fi
for ((r = 1; r <= rounds; r++)); do
  result="$root/benchmarks/target/documents-result-$r.json"
  echo "round $r of $rounds, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$java" -jar "$jar" "$@" -rf json -rff "$result" 'DocumentReadBenchmark'
  python3 - "$result" <<'PY'
import json, sys
rows = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"]["score"] for r in json.load(open(sys.argv[1]))}
for work in ("jackson", "yaml"):
    base = rows[work + "_a_noAgent"]; agent = rows[work + "_b_agentEnforce"]
    print(f"{work}: no agent {base:,.0f} ops/s, agent {agent:,.0f} ops/s, agent costs {base / agent:.3f}x")
PY
done
for f in "$log"/*.jsonl; do [[ -f $f ]] && echo "$(basename "$f"): $(wc -l < "$f") log line(s)"; done
