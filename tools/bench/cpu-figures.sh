#!/usr/bin/env bash
# Reproduces the CPU figures of BENCHMARKS.md in one session, peers beside us:
#   1. GEMM: panama-cnn vs OpenBLAS cblas_sgemm (as found and with OPENBLAS_CORETYPE unset) at
#      512³, 1024³ and the ResNet-18 conv GEMMs at batch 1, 1 and 2 threads;
#   2. ResNet-18 batch 1: panama-cnn (simd) vs PyTorch CPU (Debian python3-torch), 1 and 2
#      threads, alternating so both see the same machine.
# Needs: libopenblas0, python3-torch, python3-torchvision (apt). Prints JSON lines.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
cli=bin/panama-cnn
echo "# $(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for shape in "512 512 512" "64 3136 576" "128 784 1152" "256 196 2304" "512 49 4608"; do
  set -- $shape
  $cli bench-gemm --m "$1" --n "$2" --k "$3" --threads 1 --json 2>/dev/null
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $cli bench-gemm --m "$1" --n "$2" --k "$3" --threads 1 --json 2>/dev/null
done
$cli bench-gemm --m 1024 --n 1024 --k 1024 --threads 1 --json 2>/dev/null
$cli bench-gemm --m 1024 --n 1024 --k 1024 --threads 2 --json 2>/dev/null
for t in 1 2; do
  $cli bench --example resnet18 --backend simd --threads $t --warmup 20 --iterations 60 --json 2>/dev/null
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/bench/pytorch_cnn.py --model resnet18 --threads $t --warmup 10 --iterations 60
done
