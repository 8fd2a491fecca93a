#!/usr/bin/env bash
# Catches a process in which C2 compiled a kernel badly (the "JIT lottery" of BENCHMARKS.md,
# sixth session) and keeps the evidence: it runs MODEL in fresh processes until one is slower
# than SLOW_MS, then, while that process still runs, records JFR for a few seconds (a recording
# from the start tends to hide the problem), lists the compiled methods of PATTERN and
# disassembles their C2 code with gdb.
#   tools/bench/catch-slow-jit.sh MODEL SLOW_MS [PATTERN] [TRIES]
# e.g. tools/bench/catch-slow-jit.sh target/onnx-full/mobilenet_v2/model.onnx 8.8 BlockedDepthwise
# Output in ./target/slow-jit/: run-N.txt, late.jfr, codelist.txt, METHOD-ID.asm, and a summary
# of allocation and execution samples. Needs gdb and a JDK 25 as JAVA_HOME.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
model=$1 slow_ms=$2 pattern=${3:-BlockedDepthwise} tries=${4:-10}
java=${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin
out=target/slow-jit
mkdir -p "$out"
bin/panama-cnn info > /dev/null 2>&1 # builds tools/target/lib if needed

for i in $(seq 1 "$tries"); do
  # The warm-up (~19 s for MobileNetV2) outlasts the attach, the recording and gdb, so the
  # timed runs after it, whose median says whether the process was slow, are undisturbed.
  "$java/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED,dev.panamacnn.tools \
    -p tools/target/lib -m dev.panamacnn.tools/dev.panamacnn.tools.Main \
    bench "$model" --threads 1 --warmup 2500 --iterations 300 --profile > "$out/run-$i.txt" 2>&1 &
  pid=$!
  sleep 8
  rm -f "$out/late.jfr"
  "$java/jcmd" "$pid" JFR.start duration=4s filename="$PWD/$out/late.jfr" settings=profile > /dev/null
  "$java/jcmd" "$pid" Compiler.codelist > "$out/codelist.txt"
  rm -f "$out"/*.asm
  grep "$pattern" "$out/codelist.txt" | grep -E '^[0-9]+ 4 ' | while read -r line; do
    id=$(echo "$line" | cut -d' ' -f1)
    name=$(echo "$line" | sed 's/^[0-9]* 4 [0-9]* \([^(]*\)(.*/\1/' | sed 's/.*\.//')
    range=$(echo "$line" | sed 's/.*, \(0x[0-9a-f]*\) - \(0x[0-9a-f]*\)\]$/\1,\2/')
    timeout 60 gdb -p "$pid" -batch -ex "set pagination off" -ex "disassemble $range" 2>/dev/null \
      | grep -E '^ *0x' > "$out/$name-$id.asm" || true
  done
  sleep 5
  wait "$pid"
  median=$(sed -n 's/^latency *median \([0-9.]*\) ms.*/\1/p' "$out/run-$i.txt")
  echo "run $i: median $median ms"
  if awk -v m="$median" -v s="$slow_ms" 'BEGIN { exit !(m > s) }'; then
    echo "slow process caught; compiled code of $pattern (instructions, calls):"
    for f in "$out"/*.asm; do echo "  $(basename "$f"): $(wc -l < "$f"), $(grep -c call "$f" || true)"; done
    echo "allocation samples by project frame:"
    "$java/jfr" print --events jdk.ObjectAllocationSample --stack-depth 12 "$out/late.jfr" \
      | grep "line:" | grep panamacnn | sort | uniq -c | sort -rn | head -8 || true
    echo "execution samples (top frame):"
    "$java/jfr" print --events jdk.ExecutionSample --stack-depth 1 "$out/late.jfr" \
      | grep "line:" | sort | uniq -c | sort -rn | head -8 || true
    exit 0
  fi
done
echo "no process slower than $slow_ms ms in $tries"
