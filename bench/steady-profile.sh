#!/usr/bin/env bash
# Where the steady state's CPU goes, no agent against agent jars: async-profiler (a measuring
# tool only) on SteadyStateProbe's read loop, switched on after the warm-up (bench/SteadyProfile.java),
# one JVM per configuration, rotated each round; then bench/ap-parts.py splits each JVM's main
# thread into the guard's code, the JDK's filter call, the JDK's own read code and the kernel.
#
#   AP=/path/to/async-profiler-3.0/linux-x64 bench/steady-profile.sh A.jar [B.jar]
#   ROUNDS=3 WARMUP=15 MEASURE=10 SPEC=event=cpu,interval=500us WORKLOAD=graph   # the defaults
#
# -XX:+DebugNonSafepoints is on: the profiler is loaded late, and without it the code C2 inlined
# into filterCheck is charged to filterCheck itself. Output: $OUT (default a new /tmp folder),
# ap-CONFIG-ROUND.txt (collapsed stacks, frames annotated _[j] compiled, _[i] inlined) and
# reads-CONFIG-ROUND. Needs benchmarks/target/benchmarks-startup.jar (or PROBE=path), python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
ap=${AP:?AP: the folder holding libasyncProfiler.so, with one/profiler/*.class two levels up, or AP_CP}
ap_cp=${AP_CP:-$ap/../}
probe=${PROBE:-$root/benchmarks/target/benchmarks-startup.jar}
out=${OUT:-$(mktemp -d /tmp/safeload-steady-profile.XXXXXX)}
jars=("$@")
mkdir -p "$out/classes"
javac -d "$out/classes" "$root/bench/SteadyProfile.java"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $("$java" -version 2>&1 | head -1); output in $out"
configs=(none)
for ((j = 0; j < ${#jars[@]}; j++)); do configs+=("jar$j"); done
n=${#configs[@]}
for ((r = 1; r <= ${ROUNDS:-3}; r++)); do
  for ((k = 0; k < n; k++)); do
    c=${configs[$(( (r + k) % n ))]}
    cmd=("$java" -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints)
    [[ $c != none ]] && cmd+=("-javaagent:${jars[${c#jar}]}=log=$out/$c.jsonl")
    line=$("${cmd[@]}" -cp "$out/classes:$ap_cp:$probe" SteadyProfile "$ap/libasyncProfiler.so" "${WORKLOAD:-graph}" \
      "${WARMUP:-15}" "${MEASURE:-10}" "$out/ap-$c-$r.txt" "${SPEC:-event=cpu,interval=500us}" 2>/dev/null)
    echo "$line" > "$out/reads-$c-$r"
    echo "$c $r $line load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
python3 "$root/bench/ap-parts.py" "$out" "${configs[@]}"
