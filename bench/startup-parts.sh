#!/usr/bin/env bash
# Where the map probe's start-up cost goes (issue 12), by switching the agent's parts on one at a
# time. A throw-away build of HEAD (never shipped: git worktree in a temporary folder) reads one
# system property, startupparts.part, and stops where it says; the configurations, rotated in
# each round (bench/ab.py: process CPU from rusage, medians of pairwise ratios to the empty agent):
#   empty        -javaagent:benchmarks-startup.jar, a premain that does nothing (the baseline)
#   off          the real jar, mode=off: the jar on the class path and premain's option read
#   premain      + the settings, the policy compile and the log's settings; then premain returns
#   runtime      + the reporter, the start thread and the deserialization filter factory,
#                installed at premain; no class file transformer, no java.base edit
#   transformer  + a class file transformer that returns null at once (the JVM's floor: every
#                class loaded after premain is handed to it)
#   hooks        the real start with the hooks' transformer and the deferred first-stream work,
#                but no java.base class edited
#   enforce      the real jar, enforce mode
# Each row's step over the row above is that part's cost in this probe.
#
#   bench/startup-parts.sh              # 61 rounds
#   RUNS=101 JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/startup-parts.sh
#   KEEP=1 RUNS=1 bench/startup-parts.sh  # keeps the throw-away build's folder (/tmp/safeload-parts.*)
#
# Needs: mvn -B -o -q -pl agent,benchmarks -am package -DskipTests (and Maven offline for the
# throw-away build, about a minute).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
runs=${RUNS:-61}
agent=$root/agent/target/safeload-agent.jar
probe=$root/benchmarks/target/benchmarks-startup.jar
for f in "$agent" "$probe"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl agent,benchmarks -am package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d /tmp/safeload-parts.XXXXXX)
cleanup() {
  git -C "$root" worktree remove --force "$work/src" 2> /dev/null || true
  rm -rf "$work"
}
[[ -n ${KEEP:-} ]] || trap cleanup EXIT
git -C "$root" worktree add --quiet --detach "$work/src" HEAD
python3 - "$work/src/agent/src/main/java/dev/safeload" <<'PY'
import sys
base = sys.argv[1]
def patch(path, old, new):
    path = base + "/" + path
    text = open(path).read()
    if text.count(old) != 1:
        sys.exit("startup-parts: %s no longer has the line to patch: %r" % (path, old))
    open(path, "w").write(text.replace(old, new))
part = 'System.getProperty("startupparts.part", "")'
patch("agent/AgentStart.java", "        started = true;\n",
      "        started = true;\n        if (%s.equals(\"premain\")) {\n            return;\n        }\n" % part)
patch("agent/AgentRuntime.java",
      "        Hooks hooks = Hooks.install(inst, console, policy.hooks(), firstStream,",
      "        String part = %s;\n"
      "        if (part.equals(\"transformer\")) {\n"
      "            inst.addTransformer(new java.lang.instrument.ClassFileTransformer() { }, true);\n"
      "        }\n"
      "        Hooks hooks = part.equals(\"runtime\") || part.equals(\"transformer\") ? null\n"
      "                : Hooks.install(inst, console, policy.hooks(), firstStream," % part)
patch("agent/AgentRuntime.java", "        if (!hooks.deferred()) {", "        if (hooks == null || !hooks.deferred()) {")
patch("instrument/Hooks.java", "            byte[] edited = jdk().rewrite(name, bytes);",
      "            byte[] edited = %s.equals(\"hooks\") ? null : jdk().rewrite(name, bytes);" % part)
# With no edit, no stream would tell Hashtable's and ConcurrentHashMap's edits when to run: both would
# be retransformed at the first stream, which enforce mode defers (Hooks.DeferredEdits). Deferred here too.
patch("instrument/Hooks.java", "&& hooks.toldOfOverridingStreams()) {",
      "&& (hooks.toldOfOverridingStreams() || %s.equals(\"hooks\"))) {" % part)
PY
(cd "$work/src" && mvn -B -o -q -pl agent package -DskipTests > "$work/build.log" 2>&1) \
  || { cat "$work/build.log" >&2; exit 1; }
mkdir -p "$work/parts" "$work/real"
cp "$work/src/agent/target/safeload-agent.jar" "$work/parts/"
cp "$agent" "$work/real/safeload-agent.jar" # named so: its Boot-Class-Path is its own name
cp "$probe" "$work/empty-agent.jar"
"$java" -cp "$probe" dev.safeload.bench.startup.ReadOneSerializedMap write "$work/map.ser"
main="-cp $probe dev.safeload.bench.startup.ReadOneSerializedMap read $work/map.ser"
log="=log=$work/v.jsonl"
echo "machine: $(nproc) cores, $("$java" -version 2>&1 | head -1), $runs rounds"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
configs=(empty "exec $java -javaagent:$work/empty-agent.jar $main"
  off "exec $java -javaagent:$work/real/safeload-agent.jar=mode=off $main")
for part in premain runtime transformer hooks; do
  configs+=("$part" "exec $java -Dstartupparts.part=$part -javaagent:$work/parts/safeload-agent.jar$log $main")
done
configs+=(enforce "exec $java -javaagent:$work/real/safeload-agent.jar$log $main")
python3 "$root/bench/ab.py" "$runs" "${configs[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
