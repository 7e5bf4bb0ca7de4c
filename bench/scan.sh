#!/usr/bin/env bash
# Cost of `java -jar safeload-agent.jar scan`: a 2 GiB torch.save-shaped zip and a 2 GiB
# safetensors file against tiny ones of the same shape, and a folder of 1,000 small mixed
# models (torch zip, safetensors, pickle state dict, .npy) against one tiny file.
# Wall, CPU (user+sys) and peak RSS come from /usr/bin/time. Runs are interleaved. The files are
# generated under /tmp and deleted on exit; they are freshly written, so they sit in the page
# cache (a cold-cache scan of the big files reads from disk, which this does not measure).
#
#   bench/scan.sh            # RUNS=5 per file, BIG=2147483648 bytes of tensor data
#   RUNS=9 BIG=$((4 << 30)) bench/scan.sh
#
# Needs: mvn -B -o -q -pl benchmarks -am package -DskipTests; about 2 x BIG free under /tmp.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
runs=${RUNS:-5}
big=${BIG:-$((2 << 30))}
agent="$root/agent/target/safeload-agent.jar"
jar="$root/benchmarks/target/benchmarks.jar"
for f in "$agent" "$jar"; do
  [[ -f $f ]] || { echo "missing $f: build with mvn -B -o -q -pl benchmarks -am package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d /tmp/safeload-scan.XXXXXX)
trap 'rm -rf "$work"' EXIT
gen() { "$java" -cp "$jar" dev.safeload.bench.model.ModelFiles "$@"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $("$java" -version 2>&1 | head -1)"
gen torch "$work/tiny.pt" 16
gen safetensors "$work/tiny.safetensors" 16
gen torch "$work/big.pt" "$big"
gen safetensors "$work/big.safetensors" "$big"
gen mixed "$work/mixed" 1000
ls -l "$work" | sed 's/^/  /'
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

scan_one() {
  local label=$1 path=$2 rc
  /usr/bin/time -f "%e %U %S %M" -o "$work/t" "$java" -jar "$agent" scan "$path" > "$work/out" 2>&1 && rc=0 || rc=$?
  if [[ ! -s $work/verdict-$label ]]; then
    { echo "exit $rc"; tail -3 "$work/out"; } > "$work/verdict-$label"
  fi
  echo "$label $(tail -1 "$work/t")" >> "$work/times"
}

files=(tiny.pt big.pt tiny.safetensors big.safetensors)
for f in "${files[@]}"; do scan_one "$f" "$work/$f"; done   # warm-up, not recorded
: > "$work/times"
for ((i = 0; i < runs; i++)); do
  for ((k = 0; k < ${#files[@]}; k++)); do
    f=${files[$(( (i + k) % ${#files[@]} ))]}
    scan_one "$f" "$work/$f"
  done
  scan_one mixed-1000 "$work/mixed"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for f in "${files[@]}" mixed-1000; do
  echo "verdict $f: $(paste -sd' ' "$work/verdict-$f")"
done
cp "$work/times" "${TIMES_OUT:-/dev/null}"

python3 - "$work/times" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, real, user, sys_, rss = line.split()
    rows.setdefault(label, []).append((float(real), float(user) + float(sys_), int(rss) / 1024))
def med(c, i):
    return statistics.median(r[i] for r in rows[c])
def rng(c, i, fmt):
    v = [r[i] for r in rows[c]]
    return f"{min(v):{fmt}}–{max(v):{fmt}}"
base = {"tiny.pt": "tiny.pt", "big.pt": "tiny.pt", "tiny.safetensors": "tiny.safetensors",
        "big.safetensors": "tiny.safetensors", "mixed-1000": "tiny.pt"}
print()
print("| file | runs | wall median (s) | wall min–max | CPU median (s) | peak RSS median (MiB) | RSS min–max | wall vs tiny | RSS vs tiny |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for c in ("tiny.pt", "big.pt", "tiny.safetensors", "big.safetensors", "mixed-1000"):
    b = base[c]
    print(f"| {c} | {len(rows[c])} | {med(c, 0):.2f} | {rng(c, 0, '.2f')} | {med(c, 1):.2f} | {med(c, 2):.0f} | {rng(c, 2, '.0f')} | "
          f"{med(c, 0) / med(b, 0):.3f}× | {med(c, 2) / med(b, 2):.3f}× |")
tiny = statistics.median([r[0] for r in rows["tiny.pt"]] + [r[0] for r in rows["tiny.safetensors"]])
per = (med("mixed-1000", 0) - tiny) / 1000
cpu_per = (med("mixed-1000", 1) - statistics.median([r[1] for r in rows["tiny.pt"]] + [r[1] for r in rows["tiny.safetensors"]])) / 1000
print()
print(f"per-file cost in a folder of 1,000 (median folder scan minus median single tiny scan, / 1000): "
      f"wall {per * 1000:.2f} ms, CPU {cpu_per * 1000:.2f} ms")
PY
