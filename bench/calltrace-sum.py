#!/usr/bin/env python3
"""Sum bench/CallTrace.java's output by method, and by the first frame outside the JDK.

    python3 bench/calltrace-sum.py CALLS.txt [METHOD]

Leaves out the safeload-start thread (deferred work the real probe exits before). Without
METHOD: each traced method's total calls. With METHOD (as CallTrace names it, e.g.
java.lang.String.length): its calls by first non-JDK frame and thread, most first.
"""
import collections
import sys

by_method = collections.Counter()
by_frame = collections.Counter()
want = sys.argv[2] if len(sys.argv) > 2 else None
for line in open(sys.argv[1]):
    if '\t' not in line:
        continue
    count, rest = line.rstrip('\n').split('\t', 1)
    method, caller, frame, thread = rest.split(' | ')
    if thread == 'safeload-start':
        continue
    by_method[method] += int(count)
    if method == want:
        by_frame[frame + ' | ' + thread] += int(count)
if want is None:
    for method, count in sorted(by_method.items()):
        print('%7d  %s' % (count, method))
else:
    print('%7d  %s (all)' % (by_method[want], want))
    for frame, count in by_frame.most_common():
        print('%7d  %s' % (count, frame))
