#!/usr/bin/env bash
# What the agent jar on the boot class path costs the host's own class loading (BENCHMARKS.md,
# "Session 9"): the demo server without any agent, launch to its first 200 from /healthz, with
# and without -Xbootclasspath/a naming the agent jar (which is what its Boot-Class-Path entry
# amounts to, mode=off included: every class a parent-first loader loads is looked up in the
# jar's index first). Interleaved rounds; CPU of the JVM until then (utime+stime) and wall, medians.
#
#   RUNS=15 bench/boot-path-search.sh
#
# Needs: mvn -B -o -q -pl agent,demo-app -am package -DskipTests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
agent=${AGENT:-$root/agent/target/safeload-agent.jar}
demo=${DEMO:-$root/demo-app/target/safeload-demo.jar}
for f in "$agent" "$demo"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl agent,demo-app -am package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d /tmp/safeload-bootpath.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $("$java" -version 2>&1 | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$java" "$agent" "$demo" "$work" "${RUNS:-15}" <<'PY'
import os, re, statistics, subprocess, sys, time, urllib.request
java, agent, demo, work, runs = sys.argv[1:6]
hz = os.sysconf("SC_CLK_TCK")
http = urllib.request.build_opener(urllib.request.ProxyHandler({}))
configs = {"plain": [], "boot path": ["-Xbootclasspath/a:" + agent]}

def once(extra):
    out_path = os.path.join(work, "out")
    with open(out_path, "wb") as out:
        t0 = time.perf_counter_ns()
        p = subprocess.Popen([java, "-Djava.io.tmpdir=" + work] + extra + ["-jar", demo, "--port", "0"],
                             stdout=out, stderr=subprocess.STDOUT)
        url = None
        try:
            while True:
                if url is None:
                    m = re.search(rb"http://127\.0\.0\.1:\d+", open(out_path, "rb").read())
                    url = m.group(0).decode() + "/healthz" if m else None
                if url is not None:
                    try:
                        with http.open(url, timeout=10) as r:
                            if r.status == 200:
                                break
                    except OSError:
                        pass
                if p.poll() is not None:
                    sys.exit("the demo died: " + open(out_path).read())
                time.sleep(0.005)
            wall = (time.perf_counter_ns() - t0) / 1e9
            fields = open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()
            return wall, (int(fields[11]) + int(fields[12])) / hz
        finally:
            p.kill()
            p.wait()

res = {c: [] for c in configs}
for r in range(int(runs)):
    for c, extra in (configs.items() if r % 2 == 0 else reversed(list(configs.items()))):
        res[c].append(once(extra))
ratios = [b[1] / a[1] for a, b in zip(res["plain"], res["boot path"]) if a[1] > 0]
print("| demo server, no agent | runs | CPU median (s) | wall median (s) |")
print("|---|---:|---:|---:|")
for c in configs:
    print(f"| {c} | {len(res[c])} | {statistics.median(x[1] for x in res[c]):.3f} | {statistics.median(x[0] for x in res[c]):.3f} |")
print(f"median of pairwise CPU ratios (boot path / plain): {statistics.median(ratios):.3f}")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
