#!/usr/bin/python3
"""Generate PyTorch golden fixtures for panama-cnn's reference kernels.

How to run (from the repository root; needs Debian's python3-torch and python3-numpy, which
only /usr/bin/python3 sees):

    /usr/bin/python3 tools/golden/make_golden.py

It rewrites tests/src/test/resources/golden/<case>/ for every case in the table below: one
case.properties (the op and every parameter) and float32 little-endian C-order .npy arrays.
Case directories that are no longer in the table are removed; README.md is left alone.

Deterministic: each case seeds torch with a CRC-32 of its name (so adding a case never
changes another), runs single-threaded, and writes no timestamps. Running it twice gives
byte-identical files. The Java tests only read the files; they never need Python.
"""

import os
import shutil
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.normpath(os.path.join(ROOT, "tests", "src", "test", "resources", "golden"))

CASES = []  # (name, builder) in table order


def case(name):
    def register(fn):
        CASES.append((name, fn))
        return fn
    return register


def seed_for(name):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def pads4(p):
    """Padding as (top, left, bottom, right) from an int, (ph, pw) or a 4-tuple."""
    if isinstance(p, int):
        return (p, p, p, p)
    if len(p) == 2:
        return (p[0], p[1], p[0], p[1])
    return tuple(p)


def geometry(kernel, stride, padding, dilation=1):
    kh, kw = pair(kernel)
    sh, sw = pair(stride)
    top, left, bottom, right = pads4(padding)
    dh, dw = pair(dilation)
    return {
        "kernel_h": kh, "kernel_w": kw, "stride_h": sh, "stride_w": sw,
        "pad_top": top, "pad_left": left, "pad_bottom": bottom, "pad_right": right,
        "dilation_h": dh, "dilation_w": dw,
    }


def symmetric(g):
    return g["pad_top"] == g["pad_bottom"] and g["pad_left"] == g["pad_right"]


def explicit_pad(x, g, value=0.0):
    return F.pad(x, (g["pad_left"], g["pad_right"], g["pad_top"], g["pad_bottom"]), value=value)


# ------------------------------------------------------------------ conv2d

def conv_case(name, shape, out_c, kernel, stride=1, padding=0, dilation=1, groups=1,
              bias=True):
    @case(name)
    def build():
        n, c, h, w = shape
        g = geometry(kernel, stride, padding, dilation)
        x = torch.randn(n, c, h, w)
        fan_in = c // groups * g["kernel_h"] * g["kernel_w"]
        wt = torch.randn(out_c, c // groups, g["kernel_h"], g["kernel_w"]) / fan_in ** 0.5
        b = torch.randn(out_c) if bias else None
        st, dil = (g["stride_h"], g["stride_w"]), (g["dilation_h"], g["dilation_w"])
        if symmetric(g):
            y = F.conv2d(x, wt, b, st, (g["pad_top"], g["pad_left"]), dil, groups)
        else:  # PyTorch convs pad symmetrically: pad explicitly, then convolve unpadded
            y = F.conv2d(explicit_pad(x, g), wt, b, st, 0, dil, groups)
        params = dict(g, groups=groups, bias="yes" if bias else "no")
        arrays = {"x": x, "w": wt, "y": y}
        if bias:
            arrays["b"] = b
        return "conv2d", params, arrays


conv_case("conv2d_k1_c4to6_bias", (2, 4, 7, 7), 6, 1)
conv_case("conv2d_k1_s2_c5to3_nobias", (2, 5, 9, 9), 3, 1, stride=2, bias=False)
conv_case("conv2d_k3_s1_p1_bias", (2, 3, 8, 8), 5, 3, padding=1)
conv_case("conv2d_k3_s2_p1_nobias_odd", (2, 3, 9, 11), 4, 3, stride=2, padding=1, bias=False)
conv_case("conv2d_k3_s3_p0_odd", (2, 2, 13, 11), 3, 3, stride=3)
conv_case("conv2d_k5_s1_p2_bias", (2, 3, 11, 11), 4, 5, padding=2)
conv_case("conv2d_k5_s2_p0_nobias", (2, 3, 13, 12), 2, 5, stride=2, bias=False)
conv_case("conv2d_k7_s2_p3_bias", (2, 3, 13, 13), 4, 7, stride=2, padding=3)
conv_case("conv2d_k3x5_s1x2_p1x2_nonsquare", (2, 3, 9, 10), 4, (3, 5), stride=(1, 2),
          padding=(1, 2))
conv_case("conv2d_k1x7_p0x3_nonsquare_nobias", (2, 4, 7, 9), 3, (1, 7), padding=(0, 3),
          bias=False)
conv_case("conv2d_k3_d2_p2_bias", (2, 3, 11, 11), 4, 3, padding=2, dilation=2)
conv_case("conv2d_k3_d2x1_s2_p1_nobias", (2, 2, 12, 9), 3, 3, stride=2, padding=1,
          dilation=(2, 1), bias=False)
conv_case("conv2d_k3_g2_p1_bias", (2, 4, 8, 8), 6, 3, padding=1, groups=2)
conv_case("conv2d_k3_g2_s2_nobias", (2, 6, 9, 9), 4, 3, stride=2, groups=2, bias=False)
conv_case("conv2d_k3_depthwise_s1_p1_bias", (2, 6, 9, 9), 6, 3, padding=1, groups=6)
conv_case("conv2d_k3_depthwise_s2_p1_nobias", (2, 8, 10, 10), 8, 3, stride=2, padding=1,
          groups=8, bias=False)
conv_case("conv2d_k5_depthwise_mult2_p2_bias", (2, 4, 7, 7), 8, 5, padding=2, groups=4)
conv_case("conv2d_k3_asympad_0_1_2_1_bias", (2, 3, 7, 8), 4, 3, padding=(0, 1, 2, 1))
conv_case("conv2d_k2_s2_asympad_0_0_1_1_nobias", (2, 3, 7, 7), 5, 2, stride=2,
          padding=(0, 0, 1, 1), bias=False)
conv_case("conv2d_k3_s2_asympad_1_0_0_2_groups2", (2, 4, 9, 8), 4, 3, stride=2,
          padding=(1, 0, 0, 2), groups=2)


# ------------------------------------------------------------------ im2col / col2im

def im2col_case(name, shape, kernel, stride=1, padding=0, dilation=1):
    @case(name)
    def build():
        g = geometry(kernel, stride, padding, dilation)
        x = torch.randn(*shape)
        k, s, d = (g["kernel_h"], g["kernel_w"]), (g["stride_h"], g["stride_w"]), \
            (g["dilation_h"], g["dilation_w"])
        if symmetric(g):
            y = F.unfold(x, k, d, (g["pad_top"], g["pad_left"]), s)
        else:
            y = F.unfold(explicit_pad(x, g), k, d, 0, s)
        return "im2col", g, {"x": x, "y": y}


def out_size(n, p0, p1, k, d, s):
    return (n + p0 + p1 - d * (k - 1) - 1) // s + 1


def col2im_case(name, chw, batch, kernel, stride=1, padding=0, dilation=1):
    @case(name)
    def build():
        c, h, w = chw
        g = geometry(kernel, stride, padding, dilation)
        kh, kw = g["kernel_h"], g["kernel_w"]
        oh = out_size(h, g["pad_top"], g["pad_bottom"], kh, g["dilation_h"], g["stride_h"])
        ow = out_size(w, g["pad_left"], g["pad_right"], kw, g["dilation_w"], g["stride_w"])
        cols = torch.randn(batch, c * kh * kw, oh * ow)
        k, s, d = (kh, kw), (g["stride_h"], g["stride_w"]), (g["dilation_h"], g["dilation_w"])
        if symmetric(g):
            y = F.fold(cols, (h, w), k, d, (g["pad_top"], g["pad_left"]), s)
        else:  # fold onto the padded canvas, then drop the padding
            ph = h + g["pad_top"] + g["pad_bottom"]
            pw = w + g["pad_left"] + g["pad_right"]
            full = F.fold(cols, (ph, pw), k, d, 0, s)
            y = full[:, :, g["pad_top"]:g["pad_top"] + h, g["pad_left"]:g["pad_left"] + w]
        params = dict(g, channels=c, height=h, width=w)
        return "col2im", params, {"x": cols, "y": y}


im2col_case("im2col_k3_s1_p1", (2, 3, 6, 6), 3, padding=1)
im2col_case("im2col_k2x3_s2_p1x0_d2_odd", (1, 2, 9, 8), (2, 3), stride=2, padding=(1, 0),
            dilation=2)
im2col_case("im2col_k3_s2_asympad_0_1_1_0", (2, 2, 7, 6), 3, stride=2, padding=(0, 1, 1, 0))
col2im_case("col2im_k3_s1_p1_overlap", (2, 5, 5), 2, 3, padding=1)
col2im_case("col2im_k2x3_s2x1_p1_d1x2_odd", (3, 7, 9), 2, (2, 3), stride=(2, 1), padding=1,
            dilation=(1, 2))
col2im_case("col2im_k3_s2_asympad_1_0_0_1", (2, 6, 7), 1, 3, stride=2, padding=(1, 0, 0, 1))


# ------------------------------------------------------------------ pooling

def pool_case(name, op, shape, kernel, stride=None, padding=0, ceil_mode=False,
              count_include_pad=True):
    @case(name)
    def build():
        kh, kw = pair(kernel)
        sh, sw = pair(stride if stride is not None else kernel)
        ph, pw = pair(padding)
        x = torch.randn(*shape)
        if op == "max_pool2d":
            y = F.max_pool2d(x, (kh, kw), (sh, sw), (ph, pw), 1, ceil_mode)
        else:
            y = F.avg_pool2d(x, (kh, kw), (sh, sw), (ph, pw), ceil_mode, count_include_pad)
        params = {
            "kernel_h": kh, "kernel_w": kw, "stride_h": sh, "stride_w": sw,
            "pad_top": ph, "pad_left": pw, "pad_bottom": ph, "pad_right": pw,
            "ceil_mode": str(ceil_mode).lower(),
            "count_include_pad": str(count_include_pad).lower(),
        }
        return op, params, {"x": x, "y": y}


pool_case("maxpool_k2_s2", "max_pool2d", (2, 3, 8, 8), 2)
pool_case("maxpool_k3_s2_p1_odd", "max_pool2d", (2, 3, 9, 11), 3, 2, 1)
pool_case("maxpool_k3_s2_ceil", "max_pool2d", (2, 3, 8, 8), 3, 2, 0, ceil_mode=True)
pool_case("maxpool_k2_s2_p1_ceil_droplast", "max_pool2d", (2, 2, 5, 5), 2, 2, 1,
          ceil_mode=True)
pool_case("maxpool_k2x3_s1x2_p1_nonsquare", "max_pool2d", (2, 2, 7, 9), (2, 3), (1, 2), 1)
pool_case("avgpool_k2_s2", "avg_pool2d", (2, 3, 8, 8), 2)
pool_case("avgpool_k3_s2_p1_include_pad", "avg_pool2d", (2, 3, 9, 9), 3, 2, 1)
pool_case("avgpool_k3_s2_p1_exclude_pad", "avg_pool2d", (2, 3, 9, 9), 3, 2, 1,
          count_include_pad=False)
pool_case("avgpool_k3_s2_p1_ceil_include_pad", "avg_pool2d", (2, 3, 10, 10), 3, 2, 1,
          ceil_mode=True)
pool_case("avgpool_k3_s2_p1_ceil_exclude_pad", "avg_pool2d", (2, 3, 10, 10), 3, 2, 1,
          ceil_mode=True, count_include_pad=False)
pool_case("avgpool_k2_s2_p1_ceil_droplast_exclude_pad", "avg_pool2d", (2, 2, 5, 5), 2, 2, 1,
          ceil_mode=True, count_include_pad=False)
pool_case("avgpool_k3x2_s2x1_p1x0_ceil_include_pad_odd", "avg_pool2d", (2, 2, 8, 7), (3, 2),
          (2, 1), (1, 0), ceil_mode=True)


def global_pool_case(name, op, shape):
    @case(name)
    def build():
        x = torch.randn(*shape)
        if op == "global_avg_pool":
            y = F.adaptive_avg_pool2d(x, 1)
        else:
            y = F.adaptive_max_pool2d(x, 1)
        return op, {}, {"x": x, "y": y}


global_pool_case("global_avgpool_7x9", "global_avg_pool", (2, 5, 7, 9))
global_pool_case("global_avgpool_13x13", "global_avg_pool", (2, 8, 13, 13))
global_pool_case("global_maxpool_7x9", "global_max_pool", (2, 5, 7, 9))


# ------------------------------------------------------------------ batch norm

def bn_params(c):
    gamma = torch.randn(c) * 0.5 + 1.0
    beta = torch.randn(c) * 0.5
    mean = torch.randn(c) * 0.5 + 0.3
    var = torch.rand(c) * 1.5 + 0.5
    return gamma, beta, mean, var


def bn_eval_case(name, shape, eps):
    @case(name)
    def build():
        c = shape[1]
        x = torch.randn(*shape) * 1.5 + 0.5
        gamma, beta, mean, var = bn_params(c)
        y = F.batch_norm(x, mean, var, gamma, beta, False, 0.1, eps)
        params = {"mode": "eval", "eps": repr(eps)}
        return "batch_norm", params, {"x": x, "gamma": gamma, "beta": beta,
                                      "running_mean": mean, "running_var": var, "y": y}


def bn_train_case(name, shape, eps, momentum):
    @case(name)
    def build():
        c = shape[1]
        x = torch.randn(*shape) * 1.5 + 0.5
        gamma, beta, mean, var = bn_params(c)
        new_mean, new_var = mean.clone(), var.clone()
        y = F.batch_norm(x, new_mean, new_var, gamma, beta, True, momentum, eps)
        # The statistics a backward pass needs: batch mean and 1/sqrt(biased var + eps).
        _, save_mean, save_invstd = torch.native_batch_norm(
            x, gamma, beta, mean.clone(), var.clone(), True, momentum, eps)
        params = {"mode": "train", "eps": repr(eps), "momentum": repr(momentum)}
        return "batch_norm", params, {
            "x": x, "gamma": gamma, "beta": beta, "running_mean": mean, "running_var": var,
            "y": y, "running_mean_out": new_mean, "running_var_out": new_var,
            "save_mean": save_mean, "save_invstd": save_invstd}


bn_eval_case("batchnorm2d_eval", (2, 4, 5, 5), 1e-5)
bn_eval_case("batchnorm2d_eval_eps1e-3_odd", (3, 3, 7, 5), 1e-3)
bn_eval_case("batchnorm1d_eval", (4, 6), 1e-5)
bn_train_case("batchnorm2d_train_m0.1", (2, 4, 5, 5), 1e-5, 0.1)
bn_train_case("batchnorm2d_train_m0.3_eps1e-3_odd", (3, 3, 4, 7), 1e-3, 0.3)
bn_train_case("batchnorm1d_train_m0.1", (8, 5), 1e-5, 0.1)
bn_train_case("batchnorm1d_train_m0.25", (4, 6), 1e-5, 0.25)


# ------------------------------------------------------------------ linear

def linear_case(name, n, f, o, bias):
    @case(name)
    def build():
        x = torch.randn(n, f)
        w = torch.randn(o, f) / f ** 0.5
        b = torch.randn(o) if bias else None
        y = F.linear(x, w, b)
        arrays = {"x": x, "w": w, "y": y}
        if bias:
            arrays["b"] = b
        return "linear", {"bias": "yes" if bias else "no"}, arrays


linear_case("linear_bias_10to7", 3, 10, 7, True)
linear_case("linear_nobias_32to5", 2, 32, 5, False)
linear_case("linear_bias_100to3", 2, 100, 3, True)


# ------------------------------------------------------------------ element-wise

# Values every activation must get right: huge magnitudes (saturation, exp overflow in a naive
# sigmoid), the clip bounds themselves, signed zeros and values just around them.
SPECIAL = [-1000.0, -100.0, -88.0, -30.0, -20.0, -10.0, -6.0, -1.0, -1e-8, -0.0, 0.0, 1e-8,
           0.5, 1.0, 2.5, 5.999, 6.0, 6.001, 10.0, 20.0, 30.0, 88.0, 100.0, 1000.0]


def activation_input(shape):
    x = torch.randn(*shape) * 4.0
    flat = x.view(-1)
    flat[:len(SPECIAL)] = torch.tensor(SPECIAL)
    return x


def activation_case(name, kind, fn, extra=None):
    @case(name)
    def build():
        x = activation_input((2, 3, 5, 5))
        params = {"kind": kind}
        params.update(extra or {})
        return "activation", params, {"x": x, "y": fn(x)}


activation_case("relu", "relu", F.relu)
activation_case("relu6", "relu6", F.relu6)
activation_case("hardtanh_clip_m0.5_2.5", "clip", lambda x: F.hardtanh(x, -0.5, 2.5),
                {"min": "-0.5", "max": "2.5"})
activation_case("sigmoid", "sigmoid", torch.sigmoid)
activation_case("tanh", "tanh", torch.tanh)


@case("add")
def add_case():
    a = torch.randn(2, 3, 5, 5) * torch.logspace(-3, 3, 5)  # mixed magnitudes per column
    b = torch.randn(2, 3, 5, 5)
    return "add", {}, {"a": a, "b": b, "y": a + b}


def softmax_case(name, x_fn, axis):
    @case(name)
    def build():
        x = x_fn()
        return "softmax", {"axis": axis}, {"x": x, "y": F.softmax(x, dim=axis)}


softmax_case("softmax_axis1_2d", lambda: torch.randn(4, 10) * 3.0, 1)
softmax_case("softmax_axis1_large_logits", lambda: torch.tensor([
    [1000.0, 999.0, 998.0, -1000.0, 0.0, 995.5],
    [-1000.0, -1000.0, -1001.0, -999.0, -1000.5, -1003.0],
    [1000.0, 1000.0, 1000.0, 1000.0, 1000.0, 1000.0],
    [88.0, 89.0, 90.0, -88.0, 100.0, 50.0],
]), 1)
softmax_case("softmax_axis1_4d", lambda: torch.randn(2, 5, 3, 3) * 2.0, 1)
softmax_case("softmax_axis3_4d", lambda: torch.randn(2, 3, 2, 7) * 2.0, 3)


# ------------------------------------------------------------------ writing

def write_case(name, op, params, arrays):
    d = os.path.join(OUT, name)
    os.makedirs(d)
    lines = ["# Generated by tools/golden/make_golden.py (PyTorch %s); do not edit."
             % torch.__version__.split("+")[0], "op=" + op]
    lines += ["%s=%s" % (k, params[k]) for k in sorted(params)]
    lines.append("arrays=" + ",".join(sorted(arrays)))
    with open(os.path.join(d, "case.properties"), "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    for key, t in arrays.items():
        a = np.ascontiguousarray(t.detach().numpy().astype("<f4"))
        np.save(os.path.join(d, key + ".npy"), a, allow_pickle=False)


def clean_old_cases():
    if not os.path.isdir(OUT):
        os.makedirs(OUT)
        return
    for entry in sorted(os.listdir(OUT)):
        path = os.path.join(OUT, entry)
        if os.path.isdir(path) and os.path.isfile(os.path.join(path, "case.properties")):
            shutil.rmtree(path)


def main():
    torch.set_num_threads(1)
    names = [n for n, _ in CASES]
    if len(names) != len(set(names)):
        sys.exit("duplicate case names in the table")
    clean_old_cases()
    for name, build in CASES:
        seed_for(name)
        with torch.no_grad():
            op, params, arrays = build()
        write_case(name, op, params, arrays)
    print("wrote %d cases to %s" % (len(CASES), OUT))


if __name__ == "__main__":
    main()
