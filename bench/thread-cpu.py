#!/usr/bin/env python3
"""Per-thread CPU of the map probe (main, C1, C2, ...) under an empty agent and under each jar given.

    python3 bench/thread-cpu.py RUNS AGENT_JAR [OTHER_JAR ...]

Needs /tmp/map.ser (bench/ab.py's docstring makes it) and benchmarks/target/benchmarks-startup.jar
(the empty agent, copied to a jar of its own). Interleaved rounds; medians in ms.
"""
import collections
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
work = tempfile.mkdtemp(prefix="thread-cpu-")
subprocess.run(["javac", "-d", work, os.path.join(here, "ThreadsProbe.java")], check=True)
empty = os.path.join(work, "empty-agent.jar")
shutil.copy(os.path.join(here, "..", "benchmarks", "target", "benchmarks-startup.jar"), empty)
runs = int(sys.argv[1])
configs = [("empty", "-javaagent:" + empty)] + [
    ("jar%d" % i if i else "agent", "-javaagent:%s=log=%s/v.jsonl" % (jar, work)) for i, jar in enumerate(sys.argv[2:])]
threads = {name: collections.defaultdict(list) for name, _ in configs}
process = {name: [] for name, _ in configs}
for _ in range(runs):
    for name, option in configs:
        child = subprocess.Popen(["java", option, "-cp", work, "ThreadsProbe", "/tmp/map.ser"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = child.stdout.read().decode()
        _, status, usage = os.wait4(child.pid, 0)
        if status != 0:
            sys.exit(name + " failed")
        process[name].append((usage.ru_utime + usage.ru_stime) * 1000)
        total = collections.Counter()
        for line in out.splitlines():
            thread, ns = line.split("\t")
            total["GC_Thread" if thread.startswith("GC_Thread") else thread] += int(ns) / 1e6
        for thread, ms in total.items():
            threads[name][thread].append(ms)
names = sorted({t for n in threads for t in threads[n]})
print("%-24s" % "thread" + "".join("%10s" % n for n, _ in configs))
for t in names:
    print("%-24s" % t + "".join("%10.2f" % (statistics.median(threads[n][t]) if threads[n][t] else 0) for n, _ in configs))
print("%-24s" % "process (rusage)" + "".join("%10.2f" % statistics.median(process[n]) for n, _ in configs))
