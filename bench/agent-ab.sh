#!/usr/bin/env bash
# A/B of two agent jars in the steady-state JMH benchmark (enforce, default policy), alternating
# rounds so that a neighbour's load hits both alike; with -prof gc for allocation per read.
#
#   bench/agent-ab.sh /path/to/old/safeload-agent.jar [ROUNDS]
#
# Needs bench/jmh.sh to have run once (it writes benchmarks/target/jvm-args) and the jars built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
old=$1
rounds=${2:-3}
args=benchmarks/target/jvm-args
log=$(mktemp -d /tmp/safeload-ab-log.XXXXXX)
for v in old new; do
  jar=$([[ $v == old ]] && echo "$old" || echo "$root/agent/target/safeload-agent.jar")
  printf '%s\n' "-Dbench.config=agent-enforce" "-javaagent:$jar=serial.allow=org.openjdk.jmh.**,log=$log/$v.jsonl" > "$args/$v.args"
done
cp "$args/agent-enforce.args" "$log/saved.args"
trap 'cp "$log/saved.args" "$root/$args/agent-enforce.args"' EXIT
for ((r = 1; r <= rounds; r++)); do
  for v in old new; do
    cp "$args/$v.args" "$args/agent-enforce.args"
    java -jar benchmarks/target/benchmarks.jar -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc -rf json \
      -rff "benchmarks/target/ab-$v-$r.json" 'ObjectInputStreamBenchmark.c_agentEnforce' > "$log/$v-$r.log"
  done
  java -jar benchmarks/target/benchmarks.jar -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc -rf json \
    -rff "benchmarks/target/ab-none-$r.json" 'ObjectInputStreamBenchmark.a_noAgent' > "$log/none-$r.log"
done
python3 - "$rounds" <<'PY'
import json, sys
for w in ("rpc", "graph"):
    for v in ("none", "old", "new"):
        rows = []
        for r in range(1, int(sys.argv[1]) + 1):
            for b in json.load(open(f"benchmarks/target/ab-{v}-{r}.json")):
                if b["params"]["workload"] == w:
                    rows.append((b["primaryMetric"]["score"], b["secondaryMetrics"]["gc.alloc.rate.norm"]["score"]))
        print(w, v, "ops/s", [round(x[0], 1) for x in rows], "B/op", [round(x[1]) for x in rows])
PY
