#!/usr/bin/env bash
# What a registered class file transformer costs every class the JVM loads after premain (issue 12),
# whatever the transformer does: a JVM loads the classes of the JDK's default class list that are
# not yet loaded (about 620 on JDK 17, all from the class data sharing archive) and reads its own
# thread CPU around it, with
#   none      an agent that registers nothing (the empty agent)
#   noop      an agent that registers a retransformable transformer that returns null at once
#   safeload  AGENT (default agent/target/safeload-agent.jar), whose transformer is Hooks (its premain
#             has loaded some of the list already: compare the cost per class)
# Interleaved rounds, medians. With a transformer registered, the JVM hands the hook each shared
# class's bytes, which it first reads back from the runtime image: the noop row is that floor.
#
#   bench/transformer-floor.sh
#   RUNS=15 JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/transformer-floor.sh
#   JVM_ARGS=-Xint bench/transformer-floor.sh      # the same floor: the JVM's side, not Java code
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
home=$(dirname "$(dirname "$(readlink -f "$(command -v "$java")")")")
javac=${JAVAC:-$home/bin/javac}
jar=$home/bin/jar
agent=${AGENT:-$root/agent/target/safeload-agent.jar}
[[ -f $agent ]] || { echo "missing $agent: build with mvn -B -o -q -pl agent -am package -DskipTests" >&2; exit 2; }
classlist=$home/lib/classlist
[[ -f $classlist ]] || { echo "missing $classlist (the JDK's default CDS class list)" >&2; exit 2; }
work=$(mktemp -d /tmp/safeload-floor.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/classes"
cat > "$work/src/LoadMany.java" <<'JAVA'
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class LoadMany {
    public static void main(String[] args) throws Exception {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (!line.isBlank() && !line.startsWith("#") && !line.contains("@") && !line.contains("$$Lambda")) {
                names.add(line.strip().replace('/', '.'));
            }
        }
        var threads = ManagementFactory.getThreadMXBean();
        var loading = ManagementFactory.getClassLoadingMXBean();
        long loadedBefore = loading.getTotalLoadedClassCount();
        long start = threads.getCurrentThreadCpuTime();
        for (String name : names) {
            try {
                Class.forName(name, false, null);
            } catch (ClassNotFoundException | LinkageError e) {
                // not in this JDK's java.base or the boot layer: skipped alike in every configuration
            }
        }
        long cpu = threads.getCurrentThreadCpuTime() - start;
        System.out.println((loading.getTotalLoadedClassCount() - loadedBefore) + " " + cpu / 1000);
    }
}
JAVA
cat > "$work/src/NoopAgent.java" <<'JAVA'
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

public class NoopAgent {
    public static void premain(String options, Instrumentation inst) {
        if ("noop".equals(options)) {
            inst.addTransformer(new ClassFileTransformer() {
                @Override
                public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                                        ProtectionDomain domain, byte[] bytes) {
                    return null;
                }
            }, true);
        }
    }
}
JAVA
"$javac" -d "$work/classes" "$work/src/LoadMany.java" "$work/src/NoopAgent.java"
printf 'Premain-Class: NoopAgent\nCan-Retransform-Classes: true\n' > "$work/manifest"
(cd "$work/classes" && "$jar" cfm "$work/noop.jar" "$work/manifest" NoopAgent*.class)
echo "machine: $(nproc) cores, $("$java" -version 2>&1 | head -1), JVM_ARGS=${JVM_ARGS:-none}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$java" "$agent" "$work" "$classlist" "${RUNS:-11}" "${JVM_ARGS:-}" <<'PY'
import os, statistics, subprocess, sys
java, agent, work, classlist, runs, jvm_args = sys.argv[1:7]
configs = {"none": "-javaagent:" + os.path.join(work, "noop.jar") + "=none",
           "noop": "-javaagent:" + os.path.join(work, "noop.jar") + "=noop",
           "safeload": "-javaagent:" + agent + "=log=" + os.path.join(work, "violations.jsonl")}
cpu = {c: [] for c in configs}
loaded = {c: [] for c in configs}
for r in range(int(runs)):
    for c in (list(configs) if r % 2 == 0 else list(configs)[::-1]):
        out = subprocess.run([java] + jvm_args.split() + [configs[c], "-cp", os.path.join(work, "classes"),
                              "LoadMany", classlist], check=True, capture_output=True, text=True).stdout
        count, micros = out.split()[-2:]
        loaded[c].append(int(count))
        cpu[c].append(int(micros) / 1000)
base = statistics.median(cpu["none"]) * 1000 / statistics.median(loaded["none"])
print("\n| agent | runs | classes loaded | thread CPU loading them, median (ms) | per class (µs) | added per class over none (µs) |")
print("|---|---:|---:|---:|---:|---:|")
for c in configs:
    m = statistics.median(cpu[c])
    n = statistics.median(loaded[c])
    print(f"| {c} | {len(cpu[c])} | {n:.0f} | {m:.2f} | {m * 1000 / n:.1f} | {m * 1000 / n - base:+.1f} |")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
