#!/usr/bin/python3
"""Model-level golden fixtures: whole networks built in PyTorch, rebuilt in Java with the layer
API, weights loaded by their state_dict names.

    /usr/bin/python3 tools/golden/make_model_golden.py

Writes tests/src/test/resources/models/<model>/ with params/<name>.npy and state/<name>.npy for
every state_dict entry (num_batches_tracked skipped), the input x.npy, the inference output
y_eval.npy and, for models with batch-norm, the training-mode output y_train.npy and the
running statistics after that one training step (state_after/<name>.npy).

Models:
  lenet5     LeNet-5 exactly as dev.panamacnn.core.examples.LeNet5 (1x28x28, batch 3).
  mini_resnet  a narrow ResNet with torchvision's own BasicBlock: stem conv3x3(3->8)+BN+ReLU+
             maxpool, layer1 = BasicBlock(8,8), layer2 = BasicBlock(8,16,stride 2, 1x1+BN
             projection), global average pool, fc(16->5); input 2x3x20x20. BN running
             statistics and affine parameters are randomised so inference is non-trivial.
Deterministic (fixed seeds, one thread).
"""

import os
import shutil
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.normpath(os.path.join(ROOT, "tests", "src", "test", "resources", "models"))


def save(path, t):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, np.ascontiguousarray(t.detach().numpy().astype("<f4")))


def lenet5():
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 6, 5, padding=2)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2, 2)),
        ("conv2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2, 2)),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(400, 120)), ("relu3", nn.ReLU()),
        ("fc2", nn.Linear(120, 84)), ("relu4", nn.ReLU()),
        ("fc3", nn.Linear(84, 10)),
    ]))


def mini_resnet():
    down = nn.Sequential(nn.Conv2d(8, 16, 1, stride=2, bias=False), nn.BatchNorm2d(16))
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(3, 8, 3, padding=1, bias=False)), ("bn1", nn.BatchNorm2d(8)),
        ("relu", nn.ReLU()), ("maxpool", nn.MaxPool2d(3, 2, 1)),
        ("layer1", nn.Sequential(BasicBlock(8, 8))),
        ("layer2", nn.Sequential(BasicBlock(8, 16, stride=2, downsample=down))),
        ("avgpool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()),
        ("fc", nn.Linear(16, 5)),
    ]))


def randomise_bn(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)


def write(name, model, x, train):
    out = os.path.join(OUT, name)
    shutil.rmtree(out, ignore_errors=True)
    params = dict(model.named_parameters())
    for key, value in model.state_dict().items():
        if key.endswith("num_batches_tracked"):
            continue
        save(os.path.join(out, "params" if key in params else "state", key + ".npy"), value)
    save(os.path.join(out, "x.npy"), x)
    model.eval()
    with torch.no_grad():
        save(os.path.join(out, "y_eval.npy"), model(x))
    if train:
        model.train()
        with torch.no_grad():
            save(os.path.join(out, "y_train.npy"), model(x))
        for key, value in model.state_dict().items():
            if key.endswith("running_mean") or key.endswith("running_var"):
                save(os.path.join(out, "state_after", key + ".npy"), value)


def main():
    torch.set_num_threads(1)
    torch.manual_seed(1234)
    write("lenet5", lenet5(), torch.rand(3, 1, 28, 28), train=False)
    torch.manual_seed(5678)
    net = mini_resnet()
    randomise_bn(net)
    write("mini_resnet", net, torch.randn(2, 3, 20, 20), train=True)


if __name__ == "__main__":
    main()
