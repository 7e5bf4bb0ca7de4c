#!/usr/bin/env bash
# Does PickleMachine's memory grow with the opcode count? Interprets opcode-dense pickles of
# 1 MiB, 100 MiB and 1,000 MiB from disk (bench/../PickleFileProbe; never whole in memory) in a
# JVM capped at -Xmx64m, and reports throughput, peak heap (JMX) and peak RSS (/usr/bin/time).
# Same peak heap for all three sizes = memory independent of the opcode count.
#
#   bench/pickle-memory.sh          # SIZES="1 100 1000" (MiB), RUNS=3
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
jar="$root/benchmarks/target/benchmarks.jar"
[[ -f $jar ]] || { echo "missing $jar: mvn -B -o -q -pl benchmarks -am package -DskipTests" >&2; exit 2; }
work=$(mktemp -d /tmp/safeload-pickle.XXXXXX)
trap 'rm -rf "$work"' EXIT
probe=dev.safeload.bench.pickle.PickleFileProbe
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $("$java" -version 2>&1 | head -1)"
sizes=(${SIZES:-1 100 1000})
for s in "${sizes[@]}"; do "$java" -cp "$jar" $probe write "$work/dense-$s.pkl" "$s"; done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| pickle | run | complete | seconds | MB/s | peak heap (MiB) | peak RSS (MiB) |"
echo "|---:|---:|---|---:|---:|---:|---:|"
for ((i = 0; i < ${RUNS:-3}; i++)); do
  for s in "${sizes[@]}"; do
    line=$(/usr/bin/time -f "%M" -o "$work/t" "$java" -Xmx64m -cp "$jar" $probe run "$work/dense-$s.pkl")
    eval "$(echo "$line" | tr ' ' '\n' | grep '=' | sed 's/^/p_/')"
    echo "| $s MiB | $((i + 1)) | $p_complete | $p_seconds | $p_mb_per_s | $p_peak_heap_mib | $(awk '{printf "%.0f", $1 / 1024}' "$work/t") |"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
