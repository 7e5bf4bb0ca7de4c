#!/usr/bin/env bash
# Fuzzes every target in turn with Jazzer's standalone driver (libFuzzer):
#
#   fuzz/fuzz.sh SECONDS [NAME...]
#
# prints "target NAME execs=N findings=K" per target, and exits 1 if any target found anything,
# leaving the reproducers (crash-*, timeout-*, oom-* inputs and Jazzer's Crash_*.java) in the
# folder it names. Each target's growing corpus is kept in fuzz/target/corpus/NAME, so a later
# run goes on from there; the committed inputs (src/test/resources/.../<Class>Inputs/<method>)
# are read as seeds and are what `mvn verify` replays. Copy a reproducer there once it is fixed.
#
# Environment: FUZZ_HEAP (default 256m) is the target JVM's heap, FUZZ_TIMEOUT (10) the seconds
# one input may take, FUZZ_RSS_MB (1536) the process size libFuzzer allows, FUZZ_NICE (10).
set -uo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: fuzz/fuzz.sh SECONDS [NAME...]" >&2
  exit 2
fi
seconds=$1
shift

# NAME CLASS METHOD: the class's static fuzzerTestOneInput is what the driver calls; its
# @FuzzTest METHOD names the committed inputs' folder.
targets=(
  "pickle dev.safeload.fuzz.PickleFuzzTest pickle"
  "torch-zip dev.safeload.fuzz.TorchZipFuzzTest torchZip"
  "torch-legacy dev.safeload.fuzz.TorchLegacyFuzzTest torchLegacy"
  "zip-index dev.safeload.fuzz.ZipIndexFuzzTest zipIndex"
  "safetensors dev.safeload.fuzz.SafetensorsFuzzTest safetensors"
  "gguf dev.safeload.fuzz.GgufFuzzTest gguf"
  "gguf-chat-template dev.safeload.model.gguf.GgufChatTemplateFuzzTest chatTemplate"
  "numpy dev.safeload.fuzz.NumpyFuzzTest numpy"
  "onnx dev.safeload.fuzz.OnnxFuzzTest onnx"
  "keras-h5 dev.safeload.fuzz.KerasH5FuzzTest kerasH5"
  "keras-config dev.safeload.model.keras.KerasConfigFuzzTest kerasConfig"
  "joblib dev.safeload.fuzz.JoblibFuzzTest joblib"
  "serial-walker dev.safeload.model.javaserial.SerialStreamWalkerFuzzTest walk"
  "policy dev.safeload.config.PolicyFileFuzzTest policy"
  "violation-log dev.safeload.ops.ViolationLogFuzzTest violationLog"
  "stream-guard dev.safeload.serial.StreamGuardFuzzTest guard"
  "probed-tables dev.safeload.serial.ProbedTablesFuzzTest tables"
)

# Two runs started together build one at a time, and each copies a finished build.
mkdir -p fuzz/target
exec 9>fuzz/target/.build.lock
flock 9
mvn -o -B -q -pl agent,fuzz -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >&2 || exit 2
# The process id keeps two runs started in the same second apart.
run="fuzz/target/fuzz-run/$(date -u +%Y%m%dT%H%M%SZ)-$$"
mkdir -p "$run"
# Our classes are copied into the run folder, so that a build started while this run goes (another
# fuzz.sh, a fix being tested) cannot rewrite a class file under the fuzzing JVM.
agent_classes=$(cd agent/target/classes && pwd)
mkdir -p "$run/classes"
cp -r agent/target/classes "$run/classes/agent"
cp -r fuzz/target/test-classes "$run/classes/fuzz"
classpath="$run/classes/fuzz:$(sed "s#$agent_classes#$(pwd)/$run/classes/agent#" fuzz/target/test-classpath.txt)"
flock -u 9
exec 9>&-
# Coverage feedback from our code and the parsing libraries it drives.
instrument="dev.safeload.**:com.fasterxml.jackson.**:com.google.protobuf.**:io.jhdf.**:org.apache.commons.compress.**:org.tukaani.**:io.airlift.**"

failed=0
for t in "${targets[@]}"; do
  read -r name class method <<<"$t"
  if [ $# -gt 0 ] && ! [[ " $* " == *" $name "* ]]; then
    continue
  fi
  seeds="fuzz/src/test/resources/$(dirname "${class//.//}")/$(basename "${class//.//}")Inputs/$method"
  corpus="fuzz/target/corpus/$name"
  findings="$run/$name"
  mkdir -p "$corpus" "$findings"
  # A target whose parser compares words against sets (which Jazzer's hooks do not see) gets a dictionary.
  dict=()
  if [ -f "fuzz/dict/$name.dict" ]; then
    dict=(-dict="fuzz/dict/$name.dict")
  fi
  nice -n "${FUZZ_NICE:-10}" java -Xmx"${FUZZ_HEAP:-256m}" -Xss1m -XX:+UseSerialGC -Dsafeload.fuzz.warmUp=true \
      -cp "$classpath" \
      com.code_intelligence.jazzer.Jazzer \
      --target_class="$class" \
      --instrumentation_includes="$instrument" \
      --custom_hook_includes="$instrument" \
      --reproducer_path="$findings" \
      -artifact_prefix="$findings/" \
      -max_total_time="$seconds" \
      -timeout="${FUZZ_TIMEOUT:-10}" \
      -report_slow_units="${FUZZ_TIMEOUT:-10}" \
      -rss_limit_mb="${FUZZ_RSS_MB:-1536}" \
      -print_final_stats=1 \
      "${dict[@]}" \
      "$corpus" "$seeds" >"$findings/jazzer.log" 2>&1
  status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$findings/jazzer.log" | tail -n 1)
  found=$(find "$findings" -maxdepth 1 \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \
      -o -name 'leak-*' -o -name 'slow-unit-*' \) | wc -l)
  if [ "$status" -ne 0 ] && [ "$found" -eq 0 ]; then
    found=1 # the driver failed without an input to blame: see jazzer.log
  fi
  echo "target $name execs=${execs:-0} findings=$found"
  grep -E '^#[0-9]+[[:space:]]+DONE' "$findings/jazzer.log" | tail -n 1 | sed "s/^/  [$name] /" >"$findings/coverage.txt"
  if [ "$found" -gt 0 ]; then
    failed=1
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "findings: reproducers and logs in $run/<target>/" >&2
  exit 1
fi
echo "no findings; logs in $run" >&2
