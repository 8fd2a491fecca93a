#!/usr/bin/env bash
# OpenCL device check for an NVIDIA GPU machine that has no Java. Expects, from
# tools/device/prepare-opencl-gpu.sh: a jlinked JDK 25 runtime in .jdk/ and the jars in
# out/device/. Steps, each reported in $OUT/summary.txt (default out/device-results):
#   1. the runtime and the jars are there and run;
#   2. the OpenCL installation: nvidia-smi, the ICD loader libOpenCL.so.1, /etc/OpenCL/vendors
#      (the NVIDIA ICD is libnvidia-opencl.so.1, registered as nvidia.icd; when the file is
#      missing but the library is present we register it privately via OCL_ICD_VENDORS);
#   3. the device list, through our own FFM bindings;
#   4. the OpenCL tests (kernel properties vs the reference, errors, leaks, LeNet-5, ResNet-18),
#      with the leak test's resident-memory growth ("LEAK ..." lines: RSS, what the JVM itself
#      committed, and the rest, which is where a driver leak shows);
#   5. a ResNet-18 check and benchmark: batch-1 latency and batch-32 throughput, medians.
# Environment: OUT, PANAMACNN_OPENCL_DEVICE (index or name; default: the first GPU),
# QT_EXAMPLES (more property examples), BENCH_RUNS (default 50), SWEEP=1 (also time every
# GEMM tiling forced for all layers).
# Exit status: 0 when every step passed, else the number of failed steps (2 when nothing could run).
# Steps are time-boxed (60 + 300 + 240 s) so a whole run fits a 600 s device call.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
OUT=${OUT:-$root/out/device-results}
mkdir -p "$OUT"
summary=$OUT/summary.txt
: > "$summary"
failed=0
say() { echo "$*" | tee -a "$summary"; }
fail() { say "FAIL: $*"; failed=$((failed + 1)); }
step() { say ""; say "== $* =="; }

step "1. runtime and jars"
java=$root/.jdk/bin/java
if ! "$java" -version > "$OUT/java-version.txt" 2>&1; then
    say "FAIL: no runnable JDK 25 at .jdk/bin/java: run tools/device/prepare-opencl-gpu.sh where a JDK 25 exists and carry .jdk"
    exit 2
fi
say "java: $(head -n 1 "$OUT/java-version.txt")"
shopt -s nullglob
jars=(out/device/panama-cnn-core-*.jar out/device/panama-cnn-opencl-[0-9]*.jar out/device/panama-cnn-opencl-tests.jar)
libs=(out/device/lib/*.jar)
if [ ${#jars[@]} -ne 3 ] || [ ${#libs[@]} -eq 0 ]; then
    say "FAIL: out/device lacks the jars (found: ${jars[*]} ${libs[*]}): run tools/device/prepare-opencl-gpu.sh"
    exit 2
fi
cp=$(IFS=:; echo "${jars[*]}:${libs[*]}")

step "2. OpenCL installation"
if command -v nvidia-smi > /dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv 2>&1 | tee -a "$summary"
else
    say "WARN: nvidia-smi not found: is the NVIDIA driver installed?"
fi
java_opts=(--enable-native-access=ALL-UNNAMED -Xss4m)
loader=$(ldconfig -p 2>/dev/null | awk '/libOpenCL\.so\.1 /{print $NF; exit}')
if [ -z "$loader" ]; then
    for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /opt/cuda/lib64; do
        if [ -e "$d/libOpenCL.so.1" ]; then loader=$d/libOpenCL.so.1; break; fi
    done
    [ -n "$loader" ] && java_opts+=("-Dpanamacnn.opencl.library=$loader")
fi
say "ICD loader: ${loader:-not found}"
icds=(/etc/OpenCL/vendors/*.icd)
for f in "${icds[@]}"; do say "ICD: $f -> $(cat "$f")"; done
nvlib=$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1 /{print $NF; exit}')
if [ -z "$nvlib" ]; then
    for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
        if [ -e "$d/libnvidia-opencl.so.1" ]; then nvlib=$d/libnvidia-opencl.so.1; break; fi
    done
fi
say "NVIDIA OpenCL driver library: ${nvlib:-not found}"
if ! grep -qs nvidia /etc/OpenCL/vendors/*.icd; then
    if [ -n "$nvlib" ]; then
        # The driver is there but not registered: register it for this run only.
        export OCL_ICD_VENDORS=$OUT/icd
        mkdir -p "$OCL_ICD_VENDORS"
        echo "$nvlib" > "$OCL_ICD_VENDORS/nvidia.icd"
        say "WARN: /etc/OpenCL/vendors has no nvidia.icd; using OCL_ICD_VENDORS=$OCL_ICD_VENDORS with $nvlib"
    else
        say "WARN: no NVIDIA OpenCL ICD (no nvidia.icd, no libnvidia-opencl.so.1): the driver's OpenCL part is missing"
    fi
fi
if [ -z "$loader" ] && [ -n "$nvlib" ]; then
    # Last resort: bind the driver library directly; our bindings name any entry point it lacks.
    java_opts+=("-Dpanamacnn.opencl.library=$nvlib")
    say "WARN: no ICD loader (libOpenCL.so.1, package ocl-icd-libopencl1); trying the driver library $nvlib directly"
elif [ -z "$loader" ]; then
    fail "no OpenCL ICD loader (libOpenCL.so.1) and no NVIDIA OpenCL driver library: install ocl-icd-libopencl1 and the driver's OpenCL part"
fi
[ -n "${PANAMACNN_OPENCL_DEVICE:-}" ] && java_opts+=("-Dpanamacnn.opencl.device=$PANAMACNN_OPENCL_DEVICE")
[ -n "${QT_EXAMPLES:-}" ] && java_opts+=("-DQT_EXAMPLES=$QT_EXAMPLES")

step "3. devices through our bindings"
if timeout 60 "$java" "${java_opts[@]}" -cp "$cp" dev.panamacnn.opencl.DeviceCheck --list > "$OUT/devices.txt" 2>&1; then
    tee -a "$summary" < "$OUT/devices.txt"
    grep -q "(GPU, " "$OUT/devices.txt" || say "WARN: no GPU among the OpenCL devices: the checks below run on a CPU device"
else
    cat "$OUT/devices.txt" | tee -a "$summary"
    fail "device listing (see devices.txt)"
    say "== done: $failed step(s) failed =="
    exit $((failed > 0 ? failed : 2))
fi

step "4. OpenCL tests on the device"
# CI=1: a missing OpenCL fails the tests instead of skipping them.
CI=1 timeout 300 "$java" "${java_opts[@]}" -cp "$cp" dev.panamacnn.opencl.DeviceTests > "$OUT/tests.txt" 2>&1
rc=$?
grep -E "^(SUCCESSFUL|FAILED|ABORTED|SKIPPED)|tests (successful|failed|aborted)|DEVICE TESTS" "$OUT/tests.txt" | tee -a "$summary"
say "memory growth of the leak test (OpenClLeakTest):"
grep -E "^LEAK" "$OUT/tests.txt" | tee -a "$summary" || say "WARN: no LEAK lines: the leak test did not get to report (see tests.txt)"
[ $rc -eq 0 ] || fail "OpenCL tests (exit $rc$([ $rc -eq 124 ] && echo ', timed out'); full log in tests.txt)"

step "5. ResNet-18 check and benchmark"
timeout 240 "$java" "${java_opts[@]}" -cp "$cp" dev.panamacnn.opencl.DeviceCheck --runs "${BENCH_RUNS:-50}" \
    --batch 32 ${SWEEP:+--sweep} --out "$OUT/bench.txt" > "$OUT/bench-log.txt" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
    grep -E "^(device|check|ResNet|forced|RESULT)" "$OUT/bench-log.txt" | tee -a "$summary"
else
    tail -n 30 "$OUT/bench-log.txt" | tee -a "$summary"
    fail "ResNet-18 check/benchmark (exit $rc$([ $rc -eq 124 ] && echo ', timed out'); log in bench-log.txt)"
fi

say ""
say "== done: $failed step(s) failed; results in $OUT =="
exit "$failed"
