#!/usr/bin/env python3
"""Compare -XX:+PrintCompilation logs of the map probe between configurations.

    python3 bench/pc-compare.py DIR TAG_A TAG_B [TAG ...]

DIR holds pc-TAG-N.txt files, one JVM each (interleave the configurations when making them):

    for i in $(seq 14); do for t in empty base head; do
      java -XX:+PrintCompilation -javaagent:JAR_OF_$t -cp $P $M > DIR/pc-$t-$i.txt 2>&1; done; done

Prints, per tag, the medians over its runs of methods and bytecode bytes compiled by C1 (tiers 1-3)
and C2 (tier 4), "made not entrant" lines left out; then the methods (and tier) whose share of runs
compiling them differs by half or more between TAG_A and TAG_B.
"""
import collections
import glob
import os
import re
import statistics
import sys

LINE = re.compile(r'\s*\d+\s+\d+\s+([%sbn!]*)\s*(\d)\s+(\S+)\s+\((\d+) bytes\)')


def runs(directory, tag):
    out = []
    for path in sorted(glob.glob(os.path.join(directory, 'pc-%s-*.txt' % tag))):
        compiled = {}
        for line in open(path):
            m = LINE.match(line)
            if not m or 'made not entrant' in line:
                continue
            key = (m.group(3) + ('%' if '%' in m.group(1) else ''), int(m.group(2)))
            compiled[key] = int(m.group(4))
        out.append(compiled)
    return out


directory, tags = sys.argv[1], sys.argv[2:]
data = {tag: runs(directory, tag) for tag in tags}
for tag in tags:
    rows = data[tag]
    c1 = [sum(1 for (_, t) in r if t < 4) for r in rows]
    c1b = [sum(b for (_, t), b in r.items() if t < 4) for r in rows]
    c2 = [sum(1 for (_, t) in r if t == 4) for r in rows]
    c2b = [sum(b for (_, t), b in r.items() if t == 4) for r in rows]
    print('%-8s runs %2d  C1 methods %6.1f bytes %7.1f  C2 methods %5.1f bytes %6.1f' % (
        tag, len(rows), statistics.median(c1), statistics.median(c1b), statistics.median(c2), statistics.median(c2b)))
a, b = data[tags[0]], data[tags[1]]
count_a = collections.Counter(k for r in a for k in r)
count_b = collections.Counter(k for r in b for k in r)
size = {}
for r in a + b:
    size.update(r)
print('\nruns compiling it, %s -> %s (differences of half the runs or more):' % (tags[0], tags[1]))
for key in sorted(set(count_a) | set(count_b), key=lambda k: (count_a[k] / len(a) - count_b[k] / len(b), k)):
    if abs(count_a[key] / len(a) - count_b[key] / len(b)) >= 0.5:
        print('  %2d/%d -> %2d/%d  tier %d %5d bytes  %s' % (count_a[key], len(a), count_b[key], len(b), key[1], size[key], key[0]))
