#!/usr/bin/env bash
# Startup cost of the agent, interleaved so a busy machine slows every configuration alike.
#
# Part 1 (RUNS rounds, default 15): a JVM that reads one serialized map and exits, with
#   none         java -cp benchmarks-startup.jar ...ReadOneSerializedMap FILE
#   empty-agent  java -javaagent:benchmarks-startup.jar (a premain that does nothing) ...
#   safeload     java -javaagent:agent/target/safeload-agent.jar ...
# Each round runs the three in a rotated order. Wall and CPU (user+sys) come from bash's `time`
# (millisecond resolution).
#
# Part 2 (DEMO_RUNS rounds, default 5): the demo server from launch to /healthz answering 200,
# with and without the agent; CPU is the JVM's utime+stime from /proc at that moment.
#
#   bench/startup.sh                 # RUNS=15 DEMO_RUNS=5
#   RUNS=30 DEMO_RUNS=10 JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/startup.sh
#
# Needs: mvn -B -o -q -pl benchmarks,demo-app -am package -DskipTests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
runs=${RUNS:-15}
demo_runs=${DEMO_RUNS:-5}
agent="$root/agent/target/safeload-agent.jar"
probe="$root/benchmarks/target/benchmarks-startup.jar"
demo="$root/demo-app/target/safeload-demo.jar"
for f in "$agent" "$probe"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl benchmarks,demo-app -am package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d /tmp/safeload-startup.XXXXXX)
trap 'rm -rf "$work"' EXIT
main=dev.safeload.bench.startup.ReadOneSerializedMap
ser="$work/map.ser"
"$java" -cp "$probe" "$main" write "$ser"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $("$java" -version 2>&1 | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

run_one() {
  local config=$1
  local -a cmd
  case $config in
    none) cmd=("$java" -cp "$probe" "$main" "$ser") ;;
    empty-agent) cmd=("$java" "-javaagent:$probe" -cp "$probe" "$main" "$ser") ;;
    safeload) cmd=("$java" "-javaagent:$agent=log=$work/violations.jsonl" -cp "$probe" "$main" "$ser") ;;
  esac
  local TIMEFORMAT='%3R %3U %3S'
  local t
  t=$( { time "${cmd[@]}" > "$work/out" 2>&1 ; } 2>&1 ) || { echo "$config failed:"; cat "$work/out"; exit 1; } >&2
  echo "$config $t" >> "$work/times"
}

configs=(none empty-agent safeload)
for c in "${configs[@]}"; do run_one "$c"; done   # warm the page cache; not recorded
: > "$work/times"
for ((i = 0; i < runs; i++)); do
  for ((k = 0; k < 3; k++)); do
    run_one "${configs[$(( (i + k) % 3 ))]}"
  done
done

demo_one() {
  local config=$1
  local -a cmd=("$java" "-Djava.io.tmpdir=$work")
  [[ $config == safeload ]] && cmd+=("-javaagent:$agent=log=$work/demo-violations.jsonl")
  cmd+=(-jar "$demo" --port 0)
  local t0 t1 pid url="" ticks
  t0=$(date +%s%N)
  "${cmd[@]}" > "$work/demo.out" 2> "$work/demo.err" &
  pid=$!
  while :; do
    if [[ -z $url ]]; then
      url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/demo.out" | head -1 || true)
    fi
    if [[ -n $url ]] && curl -sf -o /dev/null "$url/healthz"; then
      break
    fi
    kill -0 "$pid" 2> /dev/null || { echo "demo ($config) died:"; cat "$work/demo.err"; exit 1; } >&2
    sleep 0.005
  done
  t1=$(date +%s%N)
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill "$pid"
  wait "$pid" 2> /dev/null || true
  echo "demo-$config $(awk -v n=$((t1 - t0)) -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.3f %.3f 0", n / 1e9, t / hz}')" >> "$work/times"
}

if [[ -f $demo ]]; then
  demo_one none; demo_one safeload   # warm-up, overwritten below
  grep -v '^demo-' "$work/times" > "$work/times.keep"; mv "$work/times.keep" "$work/times"
  for ((i = 0; i < demo_runs; i++)); do
    if ((i % 2 == 0)); then demo_one none; demo_one safeload; else demo_one safeload; demo_one none; fi
  done
else
  echo "no $demo: skipping the demo server (mvn -B -o -q -pl demo-app -am package -DskipTests)" >&2
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
cp "$work/times" "${TIMES_OUT:-/dev/null}"

python3 - "$work/times" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    c, real, user, sys_ = line.split()
    rows.setdefault(c, []).append((float(real), float(user) + float(sys_)))
def med(c, i):
    return statistics.median(r[i] for r in rows[c])
def spread(c, i):
    v = [r[i] for r in rows[c]]
    return f"{min(v):.3f}–{max(v):.3f}"
def ratio(c, base, i):
    return f"{med(c, i) / med(base, i):.3f}×" if base in rows else "n/a"
print()
print("| configuration | runs | wall median (s) | wall min–max | CPU user+sys median (s) | CPU min–max | wall vs none | CPU vs none | wall vs empty agent | CPU vs empty agent |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for c in ("none", "empty-agent", "safeload"):
    if c in rows:
        print(f"| {c} | {len(rows[c])} | {med(c, 0):.3f} | {spread(c, 0)} | {med(c, 1):.3f} | {spread(c, 1)} | "
              f"{ratio(c, 'none', 0)} | {ratio(c, 'none', 1)} | {ratio(c, 'empty-agent', 0)} | {ratio(c, 'empty-agent', 1)} |")
if "demo-none" in rows:
    print()
    print("| demo server to /healthz | runs | wall median (s) | wall min–max | CPU median (s) | CPU min–max | wall vs no agent | CPU vs no agent |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for c in ("demo-none", "demo-safeload"):
        if c in rows:
            print(f"| {c[5:]} | {len(rows[c])} | {med(c, 0):.3f} | {spread(c, 0)} | {med(c, 1):.3f} | {spread(c, 1)} | "
                  f"{ratio(c, 'demo-none', 0)} | {ratio(c, 'demo-none', 1)} |")
PY
