#!/usr/bin/env bash
# Where the map probe's start-up goes (issue 12): JVM milestones read from -Xlog:class+load with
# uptime in nanoseconds, the empty agent and Safeload interleaved, medians over RUNS rounds:
#   agent    the agent's premain class loads (the JDK has opened the agent jar)
#   main     the probe's main class loads (premain has returned)
#   stream   ObjectInputStream is defined (the first stream's deferred work and its edit are done)
#   osc      ObjectStreamClass is defined (the first read has started)
#   exit     java.lang.Shutdown loads
# Each phase is the time from the previous milestone. These are wall times: on a loaded machine
# read them with the thread-CPU figures of BENCHMARKS.md section 7.
#
#   bench/startup-timeline.sh
#   RUNS=9 JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/startup-timeline.sh
#   JVM_ARGS=-Xint AGENT=/tmp/other/safeload-agent.jar bench/startup-timeline.sh
#
# Needs: mvn -B -o -q -pl agent,benchmarks -am package -DskipTests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
runs=${RUNS:-7}
agent=${AGENT:-$root/agent/target/safeload-agent.jar}
probe="$root/benchmarks/target/benchmarks-startup.jar"
for f in "$agent" "$probe"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl agent,benchmarks -am package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d /tmp/safeload-timeline.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$java" -cp "$probe" dev.safeload.bench.startup.ReadOneSerializedMap write "$work/map.ser"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$java" "$agent" "$probe" "$work" "$runs" "${JVM_ARGS:-}" <<'PY'
import os, re, statistics, subprocess, sys

java, agent, probe, work, runs, jvm_args = sys.argv[1:7]
main = "dev.safeload.bench.startup.ReadOneSerializedMap"
milestones = [("agent", None), ("main", main),
              ("stream", "java.io.ObjectInputStream"), ("osc", "java.io.ObjectStreamClass"),
              ("exit", "java.lang.Shutdown")]
agents = {"empty-agent": ("dev.safeload.bench.startup.EmptyAgent", "-javaagent:" + probe),
          "enforce": ("dev.safeload.agent.SafeloadAgent",
                      "-javaagent:" + agent + "=log=" + os.path.join(work, "violations.jsonl"))}
line = re.compile(r"^\[(\d+)ns\] (\S+) source:")

def once(config):
    premain_class, option = agents[config]
    log = os.path.join(work, "classes.log")
    cmd = [java] + jvm_args.split() + ["-Xlog:class+load=info:file=" + log + ":uptimenanos", option,
                                       "-cp", probe, main, os.path.join(work, "map.ser")]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = {}
    with open(log) as f:
        for text in f:
            m = line.match(text)
            if m and m.group(2) not in first:
                first[m.group(2)] = int(m.group(1)) / 1e6
    return [first[premain_class if name is None else name] for _, name in milestones]

times = {config: [] for config in agents}
for r in range(int(runs)):
    for config in (list(agents) if r % 2 == 0 else list(agents)[::-1]):
        times[config].append(once(config))

print(f"{runs} rounds, ms (median); each phase from the previous milestone")
header = ["configuration"] + [name for name, _ in milestones]
print("| " + " | ".join(header) + " |")
print("|---" + "|---:" * len(milestones) + "|")
for config, rows in times.items():
    cells = []
    for i in range(len(milestones)):
        values = [row[i] - (row[i - 1] if i else 0) for row in rows]
        cells.append(f"{statistics.median(values):.1f}")
    print(f"| {config} | " + " | ".join(cells) + " |")
PY
