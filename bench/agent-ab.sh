#!/usr/bin/env bash
# A/B of two agent jars in the steady-state JMH benchmark (enforce, default policy), alternating
# rounds so that a neighbour's load hits both alike; with -prof gc for allocation per read.
# JMH_OPTS replaces "-f 1 -wi 3 -i 5 -w 1s -r 1s" (more warm-up on a busy machine).
#
#   bench/agent-ab.sh /path/to/old/safeload-agent.jar /path/to/old/benchmarks.jar [ROUNDS]
#
# benchmarks.jar bundles the agent's classes, and it comes first on the class path of JMH's forks,
# so a fork runs the agent classes of the benchmarks jar it was started from, whatever jar
# -javaagent names: each side runs its own benchmarks jar, built in the same mvn run as its agent
# jar (mvn -B -o -q -pl agent,benchmarks -am package -DskipTests, then copy both). A jar whose
# manifest has Boot-Class-Path (session 9 on) is on the boot class path, which wins over the
# benchmarks jar: its own classes run, provided the copy keeps the name safeload-agent.jar.
# Needs bench/jmh.sh to have run once (it writes benchmarks/target/jvm-args) and the jars built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
old=$1
old_bench=$2
rounds=${3:-3}
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
    bench=$([[ $v == old ]] && echo "$old_bench" || echo benchmarks/target/benchmarks.jar)
    java -jar "$bench" ${JMH_OPTS:--f 1 -wi 3 -i 5 -w 1s -r 1s} -prof gc -rf json \
      -rff "benchmarks/target/ab-$v-$r.json" 'ObjectInputStreamBenchmark.c_agentEnforce' > "$log/$v-$r.log"
  done
  java -jar benchmarks/target/benchmarks.jar ${JMH_OPTS:--f 1 -wi 3 -i 5 -w 1s -r 1s} -prof gc -rf json \
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
