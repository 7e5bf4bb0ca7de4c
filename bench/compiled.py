#!/usr/bin/env python3
"""Which methods the JIT compiles in the map probe under each agent jar, by tier (-XX:+PrintCompilation).

    python3 bench/compiled.py RUNS name1=AGENT_JAR1 name2=AGENT_JAR2 ...

The first jar is the base (the empty agent, /tmp/empty-agent.jar, as in bench/ab.py's docstring):
it runs without options, the others with log=. Interleaved rounds. Prints each method compiled at
tier 3 or 4 in at least half the runs of some other jar and in fewer than half of the base's, with
the number of runs of each jar in which it was; then the mean bytecode compiled a run at tier 3
and tier 4 (each method counted once a tier). JAVA picks the JDK (default: java on the PATH).
Needs /tmp/map.ser and benchmarks/target/benchmarks-startup.jar.
"""
import collections
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
probe = os.path.join(here, "..", "benchmarks", "target", "benchmarks-startup.jar")
java = os.environ.get("JAVA", "java")
runs = int(sys.argv[1])
configs = [arg.split("=", 1) for arg in sys.argv[2:]]
line = re.compile(r"\s*\d+\s+\d+\s+[%sbn!]*\s*(\d)\s+(\S+)\s+\((\d+) bytes\)")
counts = {name: collections.Counter() for name, _ in configs}
sizes = {name: [] for name, _ in configs}
for _ in range(runs):
    for i, (name, jar) in enumerate(configs):
        agent = "-javaagent:" + jar + ("" if i == 0 else "=log=/tmp/compiled-v.jsonl")
        out = subprocess.run([java, "-XX:+PrintCompilation", agent, "-cp", probe,
                              "dev.safeload.bench.startup.ReadOneSerializedMap", "read", "/tmp/map.ser"],
                             capture_output=True, text=True, check=True).stdout
        seen = {}
        for text in out.splitlines():
            m = line.match(text)
            if m and "made not entrant" not in text and m.group(1) in "34":
                seen[(m.group(2), int(m.group(1)))] = int(m.group(3))
        counts[name].update(seen.keys())
        sizes[name].append((sum(s for (_, t), s in seen.items() if t == 3), sum(s for (_, t), s in seen.items() if t == 4)))
base = configs[0][0]
rows = [key for key in set().union(*counts.values())
        if counts[base][key] < runs / 2 and any(counts[n][key] >= runs / 2 for n, _ in configs[1:])]
print("method tier " + " ".join(name for name, _ in configs) + f" (of {runs} runs each)")
for method, tier in sorted(rows, key=lambda k: (k[1], k[0])):
    print(f"{method} t{tier} " + " ".join(str(counts[name][(method, tier)]) for name, _ in configs))
for name, _ in configs:
    print(f"{name}: mean bytecode compiled, tier 3 {sum(s[0] for s in sizes[name]) / runs:.0f}, "
          f"tier 4 {sum(s[1] for s in sizes[name]) / runs:.0f}")
