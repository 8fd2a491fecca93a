#!/usr/bin/python3
"""Training golden fixtures: optimizer steps taken by PyTorch from the model fixtures' weights.

    /usr/bin/python3 tools/golden/make_train_golden.py

Reads tests/src/test/resources/models/<model>/params (and state) written by make_model_golden.py
and writes tests/src/test/resources/train/<model>/:
  x.npy, labels.npy (float32 class indices), loss.npy (first step's mean cross-entropy),
  <optimizer>/<name>.npy: every parameter after two steps on the same batch
  (two, so momentum buffers and Adam's moments are exercised), and for models with batch-norm
  <optimizer>/state/<name>.npy: running statistics after those steps.

  lenet5       sgd: SGD(lr 0.05, momentum 0.9, weight_decay 5e-4, nesterov)
               adam: Adam(lr 1e-3); adamw: AdamW(lr 1e-3, weight_decay 0.01)
  mini_resnet  sgd: SGD(lr 0.05, momentum 0.9) in training mode (batch-norm batch statistics,
               residual blocks with identity and projection shortcuts)
Loss: F.cross_entropy (mean). Deterministic (fixed seeds, one thread).
"""

import os
import shutil
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model_golden import lenet5, mini_resnet  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MODELS = os.path.join(ROOT, "tests", "src", "test", "resources", "models")
OUT = os.path.join(ROOT, "tests", "src", "test", "resources", "train")


def save(path, t):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else t
    np.save(path, np.ascontiguousarray(np.asarray(a).astype("<f4")))


def load_into(model, name):
    sd = model.state_dict()
    for key in sd:
        if key.endswith("num_batches_tracked"):
            continue
        for sub in ("params", "state"):
            p = os.path.join(MODELS, name, sub, key + ".npy")
            if os.path.exists(p):
                sd[key] = torch.from_numpy(np.load(p))
    model.load_state_dict(sd)


def run(name, build, shape, optimizers, seed):
    torch.manual_seed(seed)
    x = torch.rand(shape)
    labels = torch.randint(0, 10 if name == "lenet5" else 5, (shape[0],))
    d = os.path.join(OUT, name)
    save(os.path.join(d, "x.npy"), x)
    save(os.path.join(d, "labels.npy"), labels.float())
    for opt_name, make in optimizers.items():
        model = build()
        load_into(model, name)
        model.train()
        opt = make(model.parameters())
        for step in range(2):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), labels)
            if step == 0:
                save(os.path.join(d, "loss.npy"), loss.detach().reshape(1))
            loss.backward()
            opt.step()
        for key, v in model.state_dict().items():
            if key.endswith("num_batches_tracked"):
                continue
            is_param = key in dict(model.named_parameters())
            save(os.path.join(d, opt_name, key + ".npy") if is_param
                 else os.path.join(d, opt_name, "state", key + ".npy"), v)


def main():
    torch.set_num_threads(1)
    shutil.rmtree(OUT, ignore_errors=True)
    run("lenet5", lenet5, (8, 1, 28, 28), {
        "sgd": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True),
        "adam": lambda p: torch.optim.Adam(p, lr=1e-3),
        "adamw": lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
    }, 11)
    run("mini_resnet", mini_resnet, (4, 3, 20, 20), {
        "sgd": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    }, 12)


if __name__ == "__main__":
    main()
