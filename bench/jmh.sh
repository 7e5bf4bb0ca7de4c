#!/usr/bin/env bash
# Steady-state ObjectInputStream cost in five configurations, plus PickleMachine throughput, in
# ONE JMH run: every configuration is its own fork (see ObjectInputStreamBenchmark), so a busy
# machine slows them all alike and the ratios stay meaningful.
#
#   bench/jmh.sh                        # ROUNDS=3 runs of -f 1 -wi 3 -i 5 -w 1s -r 1s
#   ROUNDS=5 bench/jmh.sh -f 1 -wi 5 -i 10 -w 2s -r 2s   # arguments replace those settings
#
# Needs: mvn -B -o -q -pl benchmarks -am package -DskipTests (agent + benchmarks jars).
# Writes benchmarks/target/jmh-result-ROUND.json and prints the markdown tables (bench/jmh-table.py).
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

# JMH's forked VM reads its instructions from the host through ObjectInputStream, so every
# filtered configuration must allow JMH's own classes; the same entries go into all of them.
# JMH's frames also carry a TimeUnit: the agent allows enums by itself, the JDK filter needs it.
jmh_allow='org.openjdk.jmh.**'
jmh_allow_jdk='org.openjdk.jmh.**;java.util.concurrent.TimeUnit'

# (b) The agent's built-in allowlist in JDK pattern syntax, with the agent's default limits.
# Primitive arrays need no entry: the JDK pattern filter leaves them UNDECIDED, which passes.
defaults="$root/agent/src/main/resources/dev/safeload/policy/serial-defaults.txt"
patterns=$(grep -v '^[[:space:]]*#' "$defaults" | sed 's/[[:space:]]//g' | grep -v '^$' | paste -sd';')
jdk_filter="maxdepth=64;maxrefs=1000000;maxbytes=1073741824;maxarray=10000000;${patterns};${jmh_allow_jdk};!*"

# (d) A policy of 200 extra allow patterns: exact names, package wildcards and prefixes.
policy200="$args/policy-200-patterns.properties"
{
  printf 'serial.allow='
  for i in $(seq 0 199); do
    case $((i % 4)) in
      0) p="com.acme.dto.v$i.Order$i" ;;
      1) p="com.acme.svc$i.*" ;;
      2) p="org.example.lib$i.**" ;;
      3) p="net.vendor.Gen$i*" ;;
    esac
    printf '%s;' "$p"
  done
  printf '%s\n' "$jmh_allow"
} > "$policy200"

# Each file also names its configuration, so the benchmark's setup can check that the filter is
# really in force (a class outside the allowlist must be refused, or only logged in audit mode).
config() { local name=$1; shift; printf '%s\n' "-Dbench.config=$name" "$@" > "$args/$name.args"; }
config no-agent
config jdk-pattern-filter "-Djdk.serialFilter=$jdk_filter"
config agent-enforce "-javaagent:$agent=serial.allow=$jmh_allow,log=$log/enforce.jsonl"
config agent-200-patterns "-javaagent:$agent=policy=$policy200,log=$log/policy200.jsonl"
config agent-audit "-javaagent:$agent=mode=audit,serial.allow=$jmh_allow,log=$log/audit.jsonl"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $("$java" -version 2>&1 | head -1)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# ROUNDS whole runs, one after the other: a burst of load from a neighbour then hits one round's
# fork of one configuration, and the table's per-round ratios show it instead of hiding it.
rounds=${ROUNDS:-3}
if [[ $# -eq 0 ]]; then set -- -f 1 -wi 3 -i 5 -w 1s -r 1s; fi
results=()
for ((r = 1; r <= rounds; r++)); do
  result="$root/benchmarks/target/jmh-result-$r.json"
  echo "round $r of $rounds, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$java" -jar "$jar" "$@" -rf json -rff "$result" 'ObjectInputStreamBenchmark|PickleMachineBenchmark'
  results+=("$result")
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 "$root/bench/jmh-table.py" "${results[@]}"
# The setup's probe is the only violation: audit mode logs it once; enforce modes refuse and log it.
for f in "$log"/*.jsonl; do
  [[ -f $f ]] && echo "$(basename "$f"): $(wc -l < "$f") violation log line(s) from the setup's probe"
done
rm -rf "$log"
