#!/usr/bin/env bash
# A/B of the stream guard's own code per read (bench/GuardReplay.java): one read of the workload
# recorded as the guard's calls, replayed into a fresh guard, one JVM per jar, rotated each round;
# "loop" is the replay loop with a no-op guard, to subtract. Prints each JVM's median CPU per
# replayed read, then per jar the median over rounds of its fastest batch less the loop's, and the
# ratio to the first jar's in the same round.
#
#   bench/replay-ab.sh /tmp/old/safeload-agent.jar /tmp/new/safeload-agent.jar
#   ROUNDS=5 WARMUP=4 BATCHES=5 WORKLOAD=graph JAVA=java bench/replay-ab.sh A.jar B.jar   # the defaults
#
# Needs: benchmarks/target/benchmarks-startup.jar (or PROBE=path), python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
rounds=${ROUNDS:-5}
warmup=${WARMUP:-4}
batches=${BATCHES:-5}
workload=${WORKLOAD:-graph}
probe=${PROBE:-$root/benchmarks/target/benchmarks-startup.jar}
jars=("$@")
work=$(mktemp -d /tmp/safeload-replay-ab.XXXXXX)
trap 'rm -rf "$work"' EXIT
javac -d "$work/classes" -cp "$probe" "$root/bench/GuardReplay.java"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $("$java" -version 2>&1 | head -1)"
configs=(loop)
for ((j = 0; j < ${#jars[@]}; j++)); do configs+=("$j"); done
n=${#configs[@]}
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < n; k++)); do
    c=${configs[$(( (r + k) % n ))]}
    if [[ $c == loop ]]; then jar=${jars[0]}; extra=none; else jar=${jars[$c]}; extra=; fi
    line=$("$java" "-javaagent:$jar=log=$work/log.jsonl" --add-opens java.base/java.io=ALL-UNNAMED \
      -cp "$work/classes:$probe" GuardReplay "$workload" "$warmup" "$batches" $extra 2>/dev/null)
    echo "$r $c $line" | tee -a "$work/runs"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/runs" "${jars[@]}" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = line.split()
    # the fastest batch: load from other jobs only adds CPU time (caches, memory bandwidth)
    runs.setdefault(f[1], {})[f[0]] = float(f[f.index("(min") + 1])
loop = runs["loop"]
print("fastest batch of each JVM; loop (no-op guard): median %.1f us/read" % statistics.median(loop.values()))
first = None
for j, jar in enumerate(sys.argv[2:]):
    own = {r: v - loop[r] for r, v in runs[str(j)].items()}
    med = statistics.median(own.values())
    ratios = [own[r] / (runs["0"][r] - loop[r]) for r in own]
    print("jar %d %s: %.1f us/read minus loop, median (%.1f-%.1f); vs jar 0 per round %.3f (%.3f-%.3f)" % (
        j, jar, med, min(own.values()), max(own.values()), statistics.median(ratios), min(ratios), max(ratios)))
PY
