#!/usr/bin/python3
"""PyTorch CPU peer for `bin/panama-cnn bench`: median/p90/p99 latency of a torchvision model.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/bench/pytorch_cnn.py --model resnet18 --threads 1

Random weights (no downloads here), eval mode, no grad, batch and thread count as given; prints
one JSON object with the same keys as `bin/panama-cnn bench --json`.
"""
import argparse
import json
import time

import numpy as np
import torch
import torchvision


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet18", choices=["resnet18", "mobilenet_v2"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--iterations", type=int, default=50)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = getattr(torchvision.models, a.model)().eval()
    x = torch.randn(a.batch, 3, 224, 224)
    times = []
    with torch.no_grad():
        for _ in range(a.warmup):
            model(x)
        for _ in range(a.iterations):
            t0 = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - t0) * 1e3)
    t = np.array(times)
    med = float(np.median(t))
    print(json.dumps({
        "peer": "pytorch " + torch.__version__, "model": a.model, "threads": a.threads,
        "batch": a.batch, "median_ms": round(med, 3),
        "p90_ms": round(float(np.percentile(t, 90)), 3), "p99_ms": round(float(np.percentile(t, 99)), 3),
        "throughput_per_s": round(a.batch * 1000.0 / med, 2),
    }))


if __name__ == "__main__":
    main()
