#!/usr/bin/env python3
"""Prints JMH JSON results (-rf json), one file per round, as markdown tables with ratios.

ObjectInputStreamBenchmark: for each workload and configuration, the median ops/s over every
measurement iteration of every round, and the slowdown against no agent and against the JDK
pattern filter: baseline ops/s divided by the configuration's (1.05 = 5% slower), computed
within each round from the iteration medians, then the median over rounds with the range of
the per-round values. PickleMachineBenchmark: ops/s and MB/s (MiB x ops/s x 1.048576).

usage: bench/jmh-table.py benchmarks/target/jmh-result-*.json
"""
import json
import statistics
import sys

CONFIGS = {
    "a_noAgent": "(a) no agent",
    "b_jdkPatternFilter": "(b) JDK pattern filter",
    "c_agentEnforce": "(c) agent, enforce, default policy",
    "d_agent200Patterns": "(d) agent, enforce, +200 allow patterns",
    "e_agentAudit": "(e) agent, audit",
}


def load(path):
    oos, pickle = {}, {}
    with open(path) as f:
        for r in json.load(f):
            cls, method = r["benchmark"].rsplit(".", 1)
            raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
            if cls.endswith("ObjectInputStreamBenchmark"):
                oos[(r["params"]["workload"], method)] = raw
            elif cls.endswith("PickleMachineBenchmark"):
                pickle[int(r["params"]["mib"])] = raw
    return oos, pickle


def ratio_cell(per_round):
    if not per_round:
        return "n/a"
    if len(per_round) == 1:
        return f"{per_round[0]:.3f}×"
    return f"{statistics.median(per_round):.3f}× ({min(per_round):.2f}–{max(per_round):.2f})"


def main(paths):
    rounds = [load(p) for p in paths]
    print(f"{len(rounds)} round(s); ops/s = median of all measurement iterations; "
          "slowdown = median over rounds of baseline/configuration (range over rounds)")
    print()
    print("| workload | configuration | ops/s median | ops/s min–max | slowdown vs no agent | slowdown vs JDK filter |")
    print("|---|---|---:|---:|---:|---:|")
    for workload in ("rpc", "graph"):
        for method, label in CONFIGS.items():
            key = (workload, method)
            raw = [x for oos, _ in rounds for x in oos.get(key, [])]
            if not raw:
                continue
            vs_base, vs_jdk = [], []
            for oos, _ in rounds:
                if key not in oos:
                    continue
                mine = statistics.median(oos[key])
                if (workload, "a_noAgent") in oos:
                    vs_base.append(statistics.median(oos[(workload, "a_noAgent")]) / mine)
                if (workload, "b_jdkPatternFilter") in oos:
                    vs_jdk.append(statistics.median(oos[(workload, "b_jdkPatternFilter")]) / mine)
            print(f"| {workload} | {label} | {statistics.median(raw):,.0f} | {min(raw):,.0f}–{max(raw):,.0f} | "
                  f"{ratio_cell(vs_base)} | {ratio_cell(vs_jdk)} |")
    sizes = sorted({mib for _, pickle in rounds for mib in pickle})
    if sizes:
        print()
        print("| opcode-dense pickle | ops/s median | MB/s median | MB/s min–max (iterations) |")
        print("|---:|---:|---:|---:|")
        for mib in sizes:
            raw = [x for _, pickle in rounds for x in pickle.get(mib, [])]
            mb = mib * 1.048576
            print(f"| {mib} MiB | {statistics.median(raw):,.3f} | {statistics.median(raw) * mb:,.1f} | "
                  f"{min(raw) * mb:,.1f}–{max(raw) * mb:,.1f} |")


if __name__ == "__main__":
    main(sys.argv[1:] or ["benchmarks/target/jmh-result.json"])
