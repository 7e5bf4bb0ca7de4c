#!/usr/bin/env bash
# What a refused costly read cost its thread, against what the CPU budget counted (BENCHMARKS.md,
# "Session 21"): DenialOfServiceTest's skip list (6,000 references alternating 1 and 1 at scale
# 99,999, 100 KB; every checkpoint runs one 8-11 ms comparison), read by the integration tests'
# Victim in one JVM per run. Prints, per run, the CPU the refusal names, Victim's elapsed ms and
# the thread's CPU from before new ObjectInputStream to the exception.
#
#   bench/refusal-cpu.sh [RUNS] [AGENT_JAR ...]      # default: 5 runs of agent/target's jar
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/refusal-cpu.sh 5
#
# Needs: mvn -B -o -q install -DskipTests, then mvn -B -o -q -pl integration-tests test-compile.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
runs=${1:-5}
shift || true
jars=("$@")
[[ ${#jars[@]} -gt 0 ]] || jars=("$root/agent/target/safeload-agent.jar")
classes="$root/integration-tests/target/test-classes"
[[ -d $classes ]] || { echo "missing $classes: mvn -B -o -q -pl integration-tests test-compile" >&2; exit 2; }
work=$(mktemp -d /tmp/safeload-refusal-cpu.XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd "$root/integration-tests" && mvn -B -o -q dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null 2>&1)
cp="$classes:$(cat "$work/cp.txt")"
cat > "$work/Write.java" <<'JAVA'
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

public class Write {
    public static void main(String[] args) throws Exception {
        BigDecimal one = new BigDecimal(BigInteger.TEN.pow(99_999), 99_999);
        Files.write(Path.of(args[0]), dev.safeload.it.support.Payloads.repeatedSkipListKeys(6_000, BigDecimal.ONE, one));
    }
}
JAVA
"$java" -cp "$cp" "$work/Write.java" "$work/skip.ser"
for jar in "${jars[@]}"; do
  jar=$(realpath "$jar")
  echo "$jar ($("$java" -version 2>&1 | head -1))"
  for _ in $(seq "$runs"); do
    (cd "$work" && "$java" -javaagent:"$jar"=log="$work/v.jsonl" -cp "$cp" dev.safeload.it.victim.Victim read "$work/skip.ser" 2>/dev/null \
      | grep -o "used [0-9]* ms\|ELAPSED_MS.*\|CPU_MS.*" | tr '\n' ' ')
    echo
  done
done
