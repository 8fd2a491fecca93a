#!/usr/bin/python3
"""Exports CNN classifiers from PyTorch to ONNX with a random input and PyTorch's output, for
panama-cnn's golden tests. Weights are seeded random (nothing is downloaded); batch-norm
statistics are randomised so that inference is not the identity.

    /usr/bin/python3 tools/onnx/export_models.py            # small fixtures (committed)
    /usr/bin/python3 tools/onnx/export_models.py --full     # resnet18 + mobilenet_v2, 224x224

Small fixtures go to tests/src/test/resources/onnx/<name>/ (model.onnx, x.npy, y.npy):
  mobilenet_v2_narrow  torchvision MobileNetV2, width 0.25, 5 stages, 128-channel head, 10
                       classes, 1x3x64x64, opset 13
  resnet_narrow        torchvision BasicBlocks, widths 8/12/16/20, 10 classes, 2x3x48x48,
                       dynamic batch axis, opset 11
  resnet_narrow_bn     the same network exported with batch-norm kept (TrainingMode.PRESERVE)
                       so BatchNormalization nodes reach the importer, opset 12
  op_zoo_<opset>       a small network that uses every other supported operator (channel
                       shuffle through Shape/Gather/Reshape, Split, Slice, Concat, Pad, SE block
                       with HardSigmoid, HardSwish, Sigmoid, Tanh, Sub, Div, ReduceMean, MatMul,
                       Transpose, Softmax, pooling with ceil_mode and count_include_pad=False),
                       at opsets 11, 13 and 17
Full-size models go to target/onnx-full/<name>/ (not committed; run the full-size golden test
with `./mvnw -pl tests -am verify -Dpanama.onnx.full=target/onnx-full`, see README.md).
Deterministic: fixed seeds, one thread.
"""

import argparse
import os
import shutil

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.mobilenetv2 import InvertedResidual
from torchvision.models.resnet import BasicBlock
from torchvision.ops.misc import Conv2dNormActivation

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SMALL = os.path.join(ROOT, "tests", "src", "test", "resources", "onnx")
FULL = os.path.join(ROOT, "target", "onnx-full")


def save(path, t):
    np.save(path, np.ascontiguousarray(t.detach().numpy().astype("<f4")))


def randomise(model):
    """Random batch-norm affine and statistics; everything else keeps torchvision's init."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)


def export(out_dir, name, model, x, opset, dynamic_batch=False, keep_bn=False):
    d = os.path.join(out_dir, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    model.eval()
    kwargs = {}
    if dynamic_batch:
        kwargs["dynamic_axes"] = {"input": {0: "batch"}, "output": {0: "batch"}}
    if keep_bn:
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
        kwargs["do_constant_folding"] = False
    with torch.no_grad():
        torch.onnx.export(model, x, os.path.join(d, "model.onnx"), opset_version=opset,
                          input_names=["input"], output_names=["output"], **kwargs)
        y = model(x)
    save(os.path.join(d, "x.npy"), x)
    save(os.path.join(d, "y.npy"), y)
    print(f"{name}: opset {opset}, input {tuple(x.shape)}, output {tuple(y.shape)},"
          f" {os.path.getsize(os.path.join(d, 'model.onnx')):,} bytes")


class NarrowResNet(nn.Module):
    """torchvision's ResNet layout (7x7 stem, max pool, four BasicBlock stages, global average
    pool, flatten, fc) with narrow widths."""

    def __init__(self, widths=(8, 12, 16, 20), classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers, inplanes = [], widths[0]
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or inplanes != w:
                down = nn.Sequential(nn.Conv2d(inplanes, w, 1, stride, bias=False), nn.BatchNorm2d(w))
            layers.append(nn.Sequential(BasicBlock(inplanes, w, stride, down), BasicBlock(w, w)))
            inplanes = w
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(inplanes, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def narrow_mobilenet_v2():
    """MobileNetV2 at width 0.25 with the first five stages and a 128-channel last conv."""
    setting = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 2, 2], [6, 96, 2, 1]]
    net = torchvision.models.mobilenet_v2(num_classes=10, width_mult=0.25,
                                          inverted_residual_setting=setting)
    last_in = net.features[-1][0].in_channels
    net.features[-1] = Conv2dNormActivation(last_in, 128, kernel_size=1, activation_layer=nn.ReLU6)
    net.classifier[1] = nn.Linear(128, 10)
    return net


class SqueezeExcite(nn.Module):
    """MobileNetV3's SE block: global pool, 1x1 conv, ReLU, 1x1 conv, hard-sigmoid, scale."""

    def __init__(self, c, r=4):
        super().__init__()
        self.fc1 = nn.Conv2d(c, c // r, 1)
        self.fc2 = nn.Conv2d(c // r, c, 1)

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)
        return x * F.hardsigmoid(self.fc2(F.relu(self.fc1(s))))


def channel_shuffle(x, groups):
    # As in torchvision's ShuffleNetV2: x.size() becomes Shape/Gather feeding Reshape.
    b, c, h, w = x.size()
    x = x.view(b, groups, c // groups, h, w)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(b, -1, h, w)


class OpZoo(nn.Module):
    """Every supported operator that the two classifiers above do not use."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.Hardswish())
        self.dilated = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=2)
        self.se = SqueezeExcite(16)
        self.pool_ceil = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.avg_excl = nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)
        self.proj = nn.Conv2d(16, 12, 1)
        self.head = nn.Parameter(torch.randn(12, 10) * 0.3)
        self.scale = nn.Parameter(torch.rand(1, 16, 1, 1) + 0.5)

    def forward(self, x):
        x = self.stem(x)                                     # Conv, BN (folded), HardSwish
        a, b = torch.chunk(x, 2, dim=1)                      # Split
        b = torch.sigmoid(self.dilated(b))                   # grouped dilated Conv, Sigmoid
        x = torch.cat([torch.tanh(a), b], dim=1)             # Tanh, Concat
        x = channel_shuffle(x, 2)                            # Shape, Gather, Reshape, Transpose
        x = self.se(x)                                       # GlobalAveragePool, HardSigmoid, Mul
        x = (x - x.mean(dim=(2, 3), keepdim=True)) / self.scale  # ReduceMean, Sub, Div
        x = F.pad(x, (1, 0, 2, 1))                           # Pad (asymmetric)
        x = self.pool_ceil(x)                                # MaxPool ceil_mode
        x = self.avg_excl(x)                                 # AveragePool count_include_pad=0
        x = x[:, :, 1:, :-1]                                 # Slice
        x = F.relu(self.proj(x))
        x = x.mean(dim=(2, 3))                               # ReduceMean keepdims=0
        x = torch.matmul(x, self.head)                       # MatMul with a constant
        x = x.unsqueeze(1).squeeze(1)                        # Unsqueeze, Squeeze
        return torch.softmax(x, dim=-1)                      # Softmax


def small():
    torch.set_num_threads(1)
    torch.manual_seed(101)
    net = narrow_mobilenet_v2()
    randomise(net)
    export(SMALL, "mobilenet_v2_narrow", net, torch.randn(1, 3, 64, 64), 13)

    torch.manual_seed(202)
    net = NarrowResNet()
    randomise(net)
    x = torch.randn(2, 3, 48, 48)
    export(SMALL, "resnet_narrow", net, x, 11, dynamic_batch=True)
    export(SMALL, "resnet_narrow_bn", net, x, 12, keep_bn=True)

    for opset in (11, 13, 17):
        torch.manual_seed(303)
        net = OpZoo()
        randomise(net)
        export(SMALL, f"op_zoo_{opset}", net, torch.randn(1, 3, 29, 27), opset)


def full():
    torch.set_num_threads(1)
    torch.manual_seed(7)
    net = torchvision.models.resnet18()
    randomise(net)
    export(FULL, "resnet18", net, torch.randn(1, 3, 224, 224), 13)
    torch.manual_seed(8)
    net = torchvision.models.mobilenet_v2()
    randomise(net)
    export(FULL, "mobilenet_v2", net, torch.randn(1, 3, 224, 224), 13)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--full", action="store_true", help="export full-size resnet18 and mobilenet_v2 to target/onnx-full")
    if p.parse_args().full:
        full()
    else:
        small()
