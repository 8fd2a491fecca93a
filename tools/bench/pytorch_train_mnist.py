#!/usr/bin/python3
"""PyTorch CPU peer for `bin/panama-cnn train-mnist`: trains the same LeNet-5 on the same digits.

    /usr/bin/python3 tools/bench/pytorch_train_mnist.py --threads 1 --epochs 1
    /usr/bin/python3 tools/bench/pytorch_train_mnist.py --threads 2 --epochs 5 --batch 64 --lr 0.01

Model: core's examples.LeNet5 — conv 5x5 pad 2 1->6, ReLU, max-pool 2, conv 5x5 6->16, ReLU,
max-pool 2, flatten, 400->120, ReLU, 120->84, ReLU, 84->10 (61,706 parameters), PyTorch's
default initialisation, mean cross-entropy loss.
Data: the committed 10,000 digits (tools/src/main/resources/dev/panamacnn/tools/mnist, see the
README there): the first 8,000 train, the last 2,000 are held out; pixels / 255, then
(x - 0.1307) / 0.3081 unless --no-normalize. Each epoch visits the training digits in a seeded
random order (torch.randperm), batches built by indexing one in-memory tensor.
Timing: samples/s counts the training steps only (batch gathering, forward, backward, update),
not the held-out evaluation, like panama-cnn's EpochMeter. One line per epoch, then one JSON
object.
"""
import argparse
import gzip
import json
import struct
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

DATA = Path(__file__).resolve().parents[1] / "src/main/resources/dev/panamacnn/tools/mnist"
TRAIN_COUNT = 8000


def read_idx(path, rank):
    raw = gzip.open(path).read()
    magic = struct.unpack(">I", raw[:4])[0]
    if magic != 0x800 | rank:
        raise SystemExit(f"{path}: magic 0x{magic:08x} is not an unsigned-byte IDX of rank {rank}")
    dims = struct.unpack(f">{rank}I", raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def optimizer(a, params):
    if a.optimizer == "sgd":
        return torch.optim.SGD(params, lr=a.lr, momentum=a.momentum, nesterov=a.nesterov,
                               weight_decay=a.weight_decay)
    return torch.optim.AdamW(params, lr=a.lr, weight_decay=a.weight_decay) if a.optimizer == "adamw" \
        else torch.optim.Adam(params, lr=a.lr, weight_decay=a.weight_decay)


@torch.no_grad()
def accuracy(model, x, y, batch=500):
    model.eval()
    correct = sum(int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
                  for i in range(0, len(x), batch))
    model.train()
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--optimizer", default="sgd", choices=["sgd", "adam", "adamw"])
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--nesterov", action="store_true")
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-normalize", action="store_true")
    ap.add_argument("--data", type=Path, default=DATA)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    images = read_idx(a.data / "mnist-10k-images-idx3-ubyte.gz", 3)
    labels = read_idx(a.data / "mnist-10k-labels-idx1-ubyte.gz", 1)
    x = torch.from_numpy(images.astype(np.float32) / 255).unsqueeze(1)  # [N, 1, 28, 28]
    if not a.no_normalize:
        x = (x - 0.1307) / 0.3081
    y = torch.from_numpy(labels.astype(np.int64))
    x_train, y_train, x_test, y_test = x[:TRAIN_COUNT], y[:TRAIN_COUNT], x[TRAIN_COUNT:], y[TRAIN_COUNT:]

    model = lenet5()
    opt = optimizer(a, model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    order_rng = torch.Generator().manual_seed(a.seed)
    train_seconds, samples, test_acc = 0.0, 0, float("nan")
    for epoch in range(1, a.epochs + 1):
        perm = torch.randperm(TRAIN_COUNT, generator=order_rng)
        loss_sum, correct = 0.0, 0
        t0 = time.perf_counter()
        for i in range(0, TRAIN_COUNT, a.batch):
            idx = perm[i:i + a.batch]
            xb, yb = x_train[idx], y_train[idx]
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            correct += int((out.argmax(1) == yb).sum())
        seconds = time.perf_counter() - t0
        train_seconds += seconds
        samples += TRAIN_COUNT
        test_acc = accuracy(model, x_test, y_test)
        print(f"epoch {epoch}/{a.epochs}  loss {loss_sum / TRAIN_COUNT:.4f}  train {100 * correct / TRAIN_COUNT:.2f} %"
              f"  held-out {100 * test_acc:.2f} %  {TRAIN_COUNT / seconds:,.0f} samples/s  {seconds:.1f} s",
              flush=True)
    print(json.dumps({
        "peer": "pytorch " + torch.__version__, "model": "lenet", "threads": a.threads, "batch": a.batch,
        "optimizer": a.optimizer, "lr": a.lr, "momentum": a.momentum, "epochs": a.epochs,
        "test_accuracy": round(test_acc, 4), "train_seconds": round(train_seconds, 3),
        "samples_per_s": round(samples / train_seconds, 1),
    }))


if __name__ == "__main__":
    main()
