#!/usr/bin/env bash
# Size of the shipped agent jar: bytes and entries (what AgentJarTest's budget holds), and per
# bundled library the entries and compressed bytes, largest first.
#
#   bench/jar-size.sh                       # agent/target/safeload-agent.jar
#   bench/jar-size.sh path/to/other.jar     # e.g. a jar built from an older commit, to compare
#
# Needs: mvn -B -o -q -pl agent package -DskipTests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar=${1:-$root/agent/target/safeload-agent.jar}
[[ -f $jar ]] || { echo "missing $jar: build with mvn -B -o -q -pl agent package -DskipTests" >&2; exit 2; }
bytes=$(stat -c %s "$jar")
entries=$(unzip -Z1 "$jar" | wc -l)
printf '%s: %d bytes (%.2f MiB), %d entries\n' "$jar" "$bytes" "$(echo "$bytes / 1048576" | bc -l)" "$entries"
# unzip -v columns: length, method, compressed size, ratio, date, time, CRC, name.
unzip -v "$jar" | awk 'NR > 3 && NF == 8 {
    split($8, p, "/")
    if (p[1] == "dev" && p[3] == "shaded") key = (p[4] == "" ? "shaded (folder entry)" : "shaded " p[4])
    else if (p[1] == "dev") key = "safeload (own classes and resources)"
    else key = p[1]
    n[key]++; size[key] += $3
} END { for (k in n) printf "%7d entries %10d bytes  %s\n", n[k], size[k], k }' | sort -k3 -rn
