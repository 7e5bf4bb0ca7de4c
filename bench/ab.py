#!/usr/bin/env python3
"""Interleaved A/B of whole commands: wall time and process CPU (the child's rusage, to the microsecond).

    python3 bench/ab.py RUNS name1 'cmd1' name2 'cmd2' ...

Each round runs every command once, in order; the first is the base. Prints per command the
medians of wall and CPU and the medians of the pairwise ratios to the base (same round).
Example (the map probe against an empty agent in a jar of its own, as BENCHMARKS.md uses it):

    cp benchmarks/target/benchmarks-startup.jar /tmp/empty-agent.jar
    P=benchmarks/target/benchmarks-startup.jar; M='dev.safeload.bench.startup.ReadOneSerializedMap read /tmp/map.ser'
    java -cp $P dev.safeload.bench.startup.ReadOneSerializedMap write /tmp/map.ser
    python3 bench/ab.py 21 empty "exec java -javaagent:/tmp/empty-agent.jar -cp $P $M" \\
        enforce "exec java -javaagent:agent/target/safeload-agent.jar=log=/tmp/v.jsonl -cp $P $M"
"""
import os
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
configs = list(zip(sys.argv[2::2], sys.argv[3::2]))
results = {name: [] for name, _ in configs}
for _ in range(runs):
    for name, command in configs:
        start = time.perf_counter()
        child = subprocess.Popen(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        if status != 0:
            sys.exit(f"{name} failed (status {status}): {command}")
        results[name].append((time.perf_counter() - start, usage.ru_utime + usage.ru_stime))
base = configs[0][0]
for name, _ in configs:
    wall = statistics.median(r[0] for r in results[name])
    cpu = statistics.median(r[1] for r in results[name])
    wall_ratio = statistics.median(a[0] / b[0] for a, b in zip(results[name], results[base]))
    cpu_ratio = statistics.median(a[1] / b[1] for a, b in zip(results[name], results[base]))
    print(f"{name:12s} wall {wall * 1000:7.1f} ms cpu {cpu * 1000:7.1f} ms   ratio vs {base}: {wall_ratio:.3f} / {cpu_ratio:.3f}")
