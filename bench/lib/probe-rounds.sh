# The A/B driver of bench/guard-ab.sh and bench/documents-ab.sh, sourced by both: one plain JVM
# per configuration (no agent, then each agent jar) and workload, the configurations rotated
# each round. The script that sources it sets java, rounds, workloads, jars (an array) and work
# (a folder), and defines probe_run CONFIG WORKLOAD, which runs one JVM and prints its line;
# CONFIG is "none" or "jarN", N an index into jars. A JVM that fails stops the run with its stderr.
#
#   probe_header            the machine, the load and the jars
#   probe_rounds            every round; "$work/runs" holds one line "ROUND CONFIG PROBE-LINE" per JVM
#
# PARALLEL=1 runs a round's configurations side by side, so each JVM sees the same neighbours at
# the same time; the default runs them one after another.

probe_header() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $("$java" -version 2>&1 | head -1)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  local j
  for ((j = 0; j < ${#jars[@]}; j++)); do echo "jar $j: ${jars[$j]}"; done
}

probe_line() { # config workload: one JVM's line, or its stderr and a failure
  probe_run "$1" "$2" 2> "$work/err-$1-$2" || { echo "$1 $2 failed:"; cat "$work/err-$1-$2"; return 1; } >&2
}

probe_rounds() {
  local configs=(none) j r w k c line pids pid n failed
  for ((j = 0; j < ${#jars[@]}; j++)); do configs+=("jar$j"); done
  n=${#configs[@]}
  : > "$work/runs"
  for ((r = 0; r < rounds; r++)); do
    for w in $workloads; do
      if [[ ${PARALLEL:-0} == 1 ]]; then
        pids=()
        for c in "${configs[@]}"; do probe_line "$c" "$w" > "$work/out-$c" & pids+=($!); done
        failed=0
        for pid in "${pids[@]}"; do wait "$pid" || failed=1; done   # all of them, before the trap removes $work
        ((failed == 0)) || exit 1
        for c in "${configs[@]}"; do echo "$r $c $(cat "$work/out-$c")" >> "$work/runs"; done
      else
        for ((k = 0; k < n; k++)); do
          c=${configs[$(( (r + k) % n ))]}
          line=$(probe_line "$c" "$w") || exit 1
          echo "$r $c $line" >> "$work/runs"
        done
      fi
    done
  done
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
