#!/usr/bin/env bash
# Startup cost of the agent (issue 12), interleaved so a busy machine slows every configuration
# alike. Four configurations, rotated in each round:
#   none         no agent
#   empty-agent  -javaagent:benchmarks-startup.jar (a premain that does nothing): the baseline
#   enforce      -javaagent:safeload-agent.jar, default policy, enforce mode
#   off          -javaagent:safeload-agent.jar=mode=off
# Ratios are medians of pairwise ratios: each round's figure over the empty agent's figure in
# the same round, then the median over rounds.
#
# Parts (PARTS, default "map demo onnx classes"):
#   map      (RUNS rounds, default 15) a JVM that reads one serialized map and exits; wall from
#            Python's perf_counter_ns, CPU (user+sys) from the child's rusage (os.wait4).
#   demo     (DEMO_RUNS rounds, default 7) the demo server (Weka model loaded at start) from
#            launch to the first 200 from GET /healthz, polled every 5 ms; CPU is the JVM's
#            utime+stime from /proc at that moment.
#   onnx     (ONNX_RUNS rounds, default 7) bench/OnnxServer.java: loads an ONNX model through
#            ONNX Runtime at start, runs it once, then answers /healthz; timed like the demo.
#   classes  one run of each server and of the map probe per configuration with
#            -Xlog:class+load, the log copied when /healthz first answers (the probe: at exit);
#            the classes each agent adds over the empty agent, by origin.
#
#   bench/startup.sh
#   PARTS="demo onnx" DEMO_RUNS=11 ONNX_RUNS=11 bench/startup.sh
#   RUNS=10 JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/startup.sh
#   AGENT=/tmp/old/safeload-agent.jar bench/startup.sh     # another build of the agent
#   BEFORE=/tmp/old/safeload-agent.jar bench/startup.sh    # adds enforce-before and off-before:
#                                                            that build, in the same rounds
#
# Needs: mvn -B -o -q -pl benchmarks,demo-app -am package -DskipTests, and the onnxruntime jar
# in ~/.m2 (the integration tests' dependency; ORT_JAR names another).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
javac=${JAVAC:-$(dirname "$(readlink -f "$(command -v "$java")")")/javac}
runs=${RUNS:-15}
demo_runs=${DEMO_RUNS:-7}
onnx_runs=${ONNX_RUNS:-7}
parts=${PARTS:-map demo onnx classes}
agent=${AGENT:-$root/agent/target/safeload-agent.jar}
probe="$root/benchmarks/target/benchmarks-startup.jar"
demo="$root/demo-app/target/safeload-demo.jar"
onnx_model="$root/fuzz/src/test/resources/dev/safeload/fuzz/OnnxFuzzTestInputs/onnx/model.onnx"
ort_jar=${ORT_JAR:-$(ls -1 "$HOME"/.m2/repository/com/microsoft/onnxruntime/onnxruntime/*/onnxruntime-*.jar 2> /dev/null | sort -V | tail -1)}
for f in "$agent" "$probe" "$demo"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl benchmarks,demo-app -am package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d /tmp/safeload-startup.XXXXXX)
trap 'rm -rf "$work"' EXIT
has_part() { [[ " $parts " == *" $1 "* ]]; }

if has_part onnx || has_part classes; then
  [[ -f $ort_jar ]] || { echo "no onnxruntime jar (set ORT_JAR, or run the integration tests once)" >&2; exit 2; }
  mkdir -p "$work/onnx"
  "$javac" -d "$work/onnx" -cp "$ort_jar" "$root/bench/OnnxServer.java"
fi

"$java" -cp "$probe" dev.safeload.bench.startup.ReadOneSerializedMap write "$work/map.ser"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $("$java" -version 2>&1 | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Python drives the JVMs: a bash loop of curl and sleep hung now and then on a loaded machine.
BENCH_DIR="$root/bench" python3 - "$java" "$agent" "$probe" "$demo" "$work" "$ort_jar" "$onnx_model" "$parts" "$runs" "$demo_runs" \
    "$onnx_runs" "${TIMES_OUT:-}" "${CLASSES_OUT:-}" "${BEFORE:-}" <<'PY'
import collections, os, re, shutil, statistics, subprocess, sys, time
sys.path.insert(0, os.environ["BENCH_DIR"])
from firsthealthz import first_healthz

(java, agent, probe, demo, work, ort_jar, onnx_model, parts, runs, demo_runs, onnx_runs,
 times_out, classes_out, before) = sys.argv[1:15]
parts = parts.split()
rounds = {"map": int(runs), "demo": int(demo_runs), "onnx": int(onnx_runs)}
configs = ["none", "empty-agent", "enforce", "off"] + (["enforce-before", "off-before"] if before else [])
main = "dev.safeload.bench.startup.ReadOneSerializedMap"
ser = os.path.join(work, "map.ser")
log = os.path.join(work, "violations.jsonl")

def jvm(config):
    args = [java, "-Djava.io.tmpdir=" + work]
    if config == "empty-agent":
        args.append("-javaagent:" + probe)
    elif config.startswith("enforce"):
        args.append(f"-javaagent:{before if config.endswith('-before') else agent}=log={log}")
    elif config.startswith("off"):
        args.append(f"-javaagent:{before if config.endswith('-before') else agent}=mode=off,log={log}")
    return args

def app(part):
    return {"map": ["-cp", probe, main, ser],
            "demo": ["-jar", demo, "--port", "0"],
            "onnx": ["-cp", os.path.join(work, "onnx") + ":" + ort_jar, "OnnxServer", onnx_model]}[part]

def map_once(config, extra=()):
    cmd = jvm(config) + list(extra) + app("map")
    t0 = time.perf_counter_ns()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = (time.perf_counter_ns() - t0) / 1e9
    if status != 0:
        sys.exit(f"map ({config}) failed with status {status}: {cmd}")
    return wall, usage.ru_utime + usage.ru_stime

def server_once(part, config, classlog=None):
    """Launch to the first 200 from /healthz: (wall, CPU of the JVM until then)."""
    cmd = jvm(config) + app(part)
    if classlog:
        cmd[1:1] = ["-Xlog:class+load=info:file=" + os.path.join(work, "classes.log") + ":none"]
    copy = (lambda: shutil.copy(os.path.join(work, "classes.log"), classlog)) if classlog else None
    return first_healthz(cmd, os.path.join(work, "server.out"), os.path.join(work, "server.err"),
                         f"{part} ({config})", copy)

times = collections.defaultdict(dict)   # (part, config) -> round -> (wall, cpu)
for part in ("map", "demo", "onnx"):
    if part not in parts:
        continue
    once = map_once if part == "map" else (lambda c, part=part: server_once(part, c))
    for c in configs:
        once(c)   # warms the page cache; not recorded
    for i in range(rounds[part]):
        for k in range(len(configs)):
            c = configs[(i + k) % len(configs)]
            times[(part, c)][i] = once(c)
if times_out:
    with open(times_out, "w") as f:
        for (part, c), r in times.items():
            for i, (w, cpu) in r.items():
                f.write(f"{part} {c} {i} {w:.4f} {cpu:.3f}\n")

titles = {"map": "one serialized map, JVM start to exit",
          "demo": "demo server (Weka model), launch to first 200 from /healthz",
          "onnx": "ONNX Runtime server, launch to first 200 from /healthz"}
for part in ("map", "demo", "onnx"):
    if (part, "empty-agent") not in times:
        continue
    base = times[(part, "empty-agent")]
    print(f"\n{titles[part]}:\n")
    print("| configuration | runs | wall median (s) | CPU median (s) | wall vs empty agent | CPU vs empty agent | wall ratio min–max |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for c in configs:
        r = times[(part, c)]
        pw = [r[k][0] / base[k][0] for k in r]
        pc = [r[k][1] / base[k][1] for k in r]
        print(f"| {c} | {len(r)} | {statistics.median(v[0] for v in r.values()):.3f} | "
              f"{statistics.median(v[1] for v in r.values()):.3f} | {statistics.median(pw):.3f}× | "
              f"{statistics.median(pc):.3f}× | {min(pw):.2f}–{max(pw):.2f} |")

if "classes" not in parts:
    sys.exit(0)
folder = classes_out or os.path.join(work, "classes")
os.makedirs(folder, exist_ok=True)
for c in ("empty-agent", "enforce", "off"):
    server_once("demo", c, os.path.join(folder, f"demo-{c}"))
    server_once("onnx", c, os.path.join(folder, f"onnx-{c}"))
    map_once(c, ["-Xlog:class+load=info:file=" + os.path.join(folder, f"map-{c}") + ":none"])

def loaded(name):
    out = set()
    for line in open(os.path.join(folder, name)):
        n = line.split(" ", 1)[0]
        out.add(re.sub(r"/0x[0-9a-f]+$", "", re.sub(r"\$\$Lambda.*", "$$Lambda", n)))
    return out
ASM = "ASM"
ORIGINS = (("dev.safeload.shaded.bytebuddy.jar.asm.", ASM), ("dev.safeload.shaded.bytebuddy.", "Byte Buddy"),
           ("dev.safeload.shaded.logback.", "Logback"), ("dev.safeload.shaded.slf4j.", "Logback"),
           ("dev.safeload.shaded.jackson.", "Jackson"), ("dev.safeload.shaded.", "other"),
           ("dev.safeload.", "Safeload"), ("javax.management.", "JMX"), ("sun.management.", "JMX"),
           ("com.sun.jmx.", "JMX"), ("java.lang.management.", "JMX"), ("jdk.management.", "JMX"),
           ("com.sun.management.", "JMX"))
def origin(n):
    return next((label for prefix, label in ORIGINS if n.startswith(prefix)), "other")
print("\nClasses loaded before the first 200 from /healthz (map: before exit), and those added over the empty agent:\n")
print("| run | configuration | classes loaded | added | Byte Buddy | ASM | Logback, SLF4J | Jackson | JMX | Safeload | other (JDK) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for part in ("map", "demo", "onnx"):
    base = loaded(f"{part}-empty-agent")
    for c in ("enforce", "off"):
        mine = loaded(f"{part}-{c}")
        by = collections.Counter(origin(n) for n in mine - base)
        print(f"| {part} | {c} | {len(mine)} | {len(mine - base)} | {by['Byte Buddy']} | {by[ASM]} | {by['Logback']} | "
              f"{by['Jackson']} | {by['JMX']} | {by['Safeload']} | {by['other']} |")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
