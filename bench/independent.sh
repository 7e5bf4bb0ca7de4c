#!/usr/bin/env bash
# A second opinion on the headline ratios, with probes that share nothing with bench/jmh.sh and
# bench/startup.sh but the machine:
#
# 1. Steady state without JMH: dev.safeload.bench.serial.SteadyStateProbe times batches of reads
#    with System.nanoTime in a plain JVM (no harness, no blackhole), one JVM per configuration
#    and workload, the configurations rotated each round. Reports median reads/s and ratios.
# 2. Startup without bash's `time`: Python starts each JVM itself and takes wall time from
#    time.perf_counter_ns and CPU time from the child's rusage (os.wait4), interleaved.
#
#   bench/independent.sh                    # ROUNDS=3 WARMUP=5 BATCHES=8 STARTS=15
#
# Needs: mvn -B -o -q -pl benchmarks -am package -DskipTests, and python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
rounds=${ROUNDS:-3}
warmup=${WARMUP:-5}
batches=${BATCHES:-8}
starts=${STARTS:-15}
agent="$root/agent/target/safeload-agent.jar"
probe="$root/benchmarks/target/benchmarks-startup.jar"
for f in "$agent" "$probe"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl benchmarks -am package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d /tmp/safeload-independent.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The same JDK filter as bench/jmh.sh's configuration (b): the agent's built-in allowlist in JDK
# syntax with the agent's default limits (this probe needs no JMH entries).
defaults="$root/agent/src/main/resources/dev/safeload/policy/serial-defaults.txt"
patterns=$(grep -v '^[[:space:]]*#' "$defaults" | sed 's/[[:space:]]//g' | grep -v '^$' | paste -sd';')
jdk_filter="maxdepth=64;maxrefs=1000000;maxbytes=1073741824;maxarray=10000000;${patterns};!*"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $("$java" -version 2>&1 | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

configs=(no-agent jdk-pattern-filter agent-enforce)
steady() {
  local config=$1 workload=$2
  local -a cmd=("$java")
  case $config in
    jdk-pattern-filter) cmd+=("-Djdk.serialFilter=$jdk_filter") ;;
    agent-enforce) cmd+=("-javaagent:$agent=log=$work/violations.jsonl") ;;
  esac
  cmd+=(-cp "$probe" dev.safeload.bench.serial.SteadyStateProbe "$workload" "$warmup" "$batches")
  local line
  line=$("${cmd[@]}" 2> "$work/err") || { echo "$config $workload failed:"; cat "$work/err"; exit 1; } >&2
  echo "$config $line" >> "$work/steady"
}
: > "$work/steady"
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < 3; k++)); do
    c=${configs[$(( (r + k) % 3 ))]}
    steady "$c" rpc
    steady "$c" graph
  done
done

python3 - "$work/steady" "$java" "$agent" "$probe" "$starts" "$work" <<'PY'
import os, statistics, subprocess, sys, time

steady_file, java, agent, probe, starts, work = sys.argv[1:7]
runs = {}
for line in open(steady_file):
    config, workload, _, median, *_ = line.split()
    runs.setdefault((workload, config), []).append(float(median))
print("\n## Steady state (SteadyStateProbe, median of each JVM's batches; ratio = median over JVMs)\n")
print("| workload | configuration | reads/s | ratio vs no agent | ratio vs JDK filter |")
print("|---|---|---:|---:|---:|")
for workload in ("rpc", "graph"):
    base = statistics.median(runs[(workload, "no-agent")])
    jdk = statistics.median(runs[(workload, "jdk-pattern-filter")])
    for config in ("no-agent", "jdk-pattern-filter", "agent-enforce"):
        v = statistics.median(runs[(workload, config)])
        spread = ", ".join(f"{x:,.0f}" for x in runs[(workload, config)])
        print(f"| {workload} | {config} | {v:,.0f} ({spread}) | {base / v:.3f}× | {jdk / v:.3f}× |")

main = "dev.safeload.bench.startup.ReadOneSerializedMap"
ser = os.path.join(work, "map.ser")
subprocess.run([java, "-cp", probe, main, "write", ser], check=True)
commands = {
    "none": [java, "-cp", probe, main, ser],
    "empty-agent": [java, "-javaagent:" + probe, "-cp", probe, main, ser],
    "safeload": [java, "-javaagent:" + agent + "=log=" + os.path.join(work, "start.jsonl"), "-cp", probe, main, ser],
}
def once(cmd):
    t0 = time.perf_counter_ns()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = (time.perf_counter_ns() - t0) / 1e9
    if status != 0:
        sys.exit(f"{cmd} failed with status {status}")
    return wall, usage.ru_utime + usage.ru_stime
names = list(commands)
for n in names:
    once(commands[n])  # page cache
times = {n: [] for n in names}
for i in range(int(starts)):
    for k in range(3):
        n = names[(i + k) % 3]
        times[n].append(once(commands[n]))
print(f"\n## Startup (python perf_counter_ns and wait4 rusage, {starts} interleaved starts each)\n")
print("| configuration | wall median (min–max) | CPU median (min–max) | wall vs empty agent | CPU vs empty agent |")
print("|---|---:|---:|---:|---:|")
ew = statistics.median(w for w, _ in times["empty-agent"])
ec = statistics.median(c for _, c in times["empty-agent"])
for n in names:
    w = [x for x, _ in times[n]]
    c = [y for _, y in times[n]]
    print(f"| {n} | {statistics.median(w):.3f} s ({min(w):.3f}–{max(w):.3f}) | {statistics.median(c):.3f} s "
          f"({min(c):.3f}–{max(c):.3f}) | {statistics.median(w) / ew:.2f}× | {statistics.median(c) / ec:.2f}× |")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
