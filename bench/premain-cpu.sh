#!/usr/bin/env bash
# Premain's own cost (issue 12): the thread CPU and wall time from the JDK opening the agent jar
# to premain's return, read by bench/PremainClock.java given before and after the agent on the
# command line; and the agent's classes loaded by then (-Xlog:class+load). Interleaved rounds,
# medians. Thread CPU is the figure to trust on a shared machine; run once more with
# JVM_ARGS=-Xint to take the JIT's share out.
#   hello    a main that prints a line (never deserializes)
#   map      the map probe (benchmarks-startup.jar), whose premain is the one bench/startup.sh times
#   off      hello with mode=off as an agent option
#
#   bench/premain-cpu.sh
#   BEFORE=/tmp/old/safeload-agent.jar RUNS=15 bench/premain-cpu.sh    # that build, in the same rounds
#   JVM_ARGS=-Xint BEFORE=/tmp/old/safeload-agent.jar bench/premain-cpu.sh
#
# Needs: mvn -B -o -q -pl agent,benchmarks -am package -DskipTests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
javac=${JAVAC:-$(dirname "$(readlink -f "$(command -v "$java")")")/javac}
jar=$(dirname "$javac")/jar
agent=${AGENT:-$root/agent/target/safeload-agent.jar}
probe=${PROBE:-$root/benchmarks/target/benchmarks-startup.jar}
for f in "$agent" "$probe"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl agent,benchmarks -am package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d /tmp/safeload-premain.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/clock" "$work/hello"
"$javac" -d "$work/clock" "$root/bench/PremainClock.java"
printf 'Premain-Class: PremainClock\n' > "$work/clock/manifest"
"$jar" cfm "$work/clock.jar" "$work/clock/manifest" -C "$work/clock" PremainClock.class
printf 'Main-Class: Hello\n' > "$work/hello/manifest"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' > "$work/hello/Hello.java"
"$javac" -d "$work/hello" "$work/hello/Hello.java"
"$jar" cfm "$work/hello.jar" "$work/hello/manifest" -C "$work/hello" Hello.class
"$java" -cp "$probe" dev.safeload.bench.startup.ReadOneSerializedMap write "$work/map.ser"
echo "machine: $(nproc) cores, $("$java" -version 2>&1 | head -1), JVM_ARGS=${JVM_ARGS:-none}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$java" "$agent" "$probe" "$work" "${RUNS:-11}" "${JVM_ARGS:-}" "${BEFORE:-}" <<'PY'
import os, re, statistics, subprocess, sys
java, agent, probe, work, runs, jvm_args, before = sys.argv[1:8]
clock = os.path.join(work, "clock.jar")
builds = [("this", agent)] + ([("before", before)] if before else [])
cases = [("hello", "", ["-jar", os.path.join(work, "hello.jar")]),
         ("map", "", ["-cp", probe, "dev.safeload.bench.startup.ReadOneSerializedMap", "read", os.path.join(work, "map.ser")]),
         ("off", "=mode=off", ["-jar", os.path.join(work, "hello.jar")])]

def command(jar, options, main, extra=()):
    return ([java] + jvm_args.split() + list(extra) + ["-Djava.io.tmpdir=" + work,
            "-javaagent:" + clock + "=start", "-javaagent:" + jar + options, "-javaagent:" + clock + "=end"] + main)

def run(jar, options, main):
    out = subprocess.run(command(jar, options, main), capture_output=True, text=True, cwd=work)
    m = re.search(r"premainclock cpu_us=(\d+) wall_us=(\d+)", out.stderr)
    if not m:
        sys.exit("no premainclock line:\n" + out.stderr)
    return int(m[1]) / 1000, int(m[2]) / 1000

def agent_classes(jar, options, main):
    """The agent's classes loaded by premain's return: from the agent jar, before the main class loads."""
    out = subprocess.run(command(jar, options, main, ["-Xlog:class+load"]), capture_output=True, text=True, cwd=work).stdout
    n = 0
    for line in out.splitlines():
        if re.search(r"\] (Hello|dev\.safeload\.bench\.startup\.ReadOneSerializedMap) source", line):
            break
        # A class of the boot class path logs its jar as a plain path, one of the application loader as a URL.
        if line.endswith("source: " + jar) or "source: file:" + jar in line or "source: jar:file:" + jar in line:
            n += 1
    return n

cpu, wall = {}, {}
for _ in range(int(runs)):
    for case, options, main in cases:
        for build, jar in builds:
            c, w = run(jar, options, main)
            cpu.setdefault((case, build), []).append(c)
            wall.setdefault((case, build), []).append(w)
print()
print("| case | build | runs | premain thread CPU median (ms) | wall median (ms) | agent classes loaded |")
print("|---|---|---:|---:|---:|---:|")
for case, options, main in cases:
    for build, jar in builds:
        print("| %s | %s | %d | %.2f | %.2f | %d |" % (case, build, len(cpu[(case, build)]),
              statistics.median(cpu[(case, build)]), statistics.median(wall[(case, build)]),
              agent_classes(jar, options, main)))
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
