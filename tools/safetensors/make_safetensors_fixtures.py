#!/usr/bin/env python3
"""Writes the safetensors fixtures that core's SafetensorsTest reads (tests never need Python).

    /usr/bin/python3 tools/safetensors/make_safetensors_fixtures.py core/src/test/resources/safetensors
    PYTHONPATH=DIR_WITH_SAFETENSORS /usr/bin/python3 tools/safetensors/make_safetensors_fixtures.py ...

- spec_f32.safetensors: written with json + struct straight from the format description (no
  library): header keys in an order unlike the data order, json.dumps' default spacing, padded
  with spaces to 8 bytes, string metadata with non-ASCII text and escapes.
- torch_f32.safetensors: the same tensors written by safetensors.torch.save_file, when the
  `safetensors` package can be imported (skipped otherwise; the committed copy stays).

Values (float32, given by their bits so nothing depends on libm): see tensors() below; the
Java test spells out the same values.

    /usr/bin/python3 tools/safetensors/make_safetensors_fixtures.py --check FILE.safetensors
prints what safetensors.torch.load_file reads from FILE (for checking files Java wrote).
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np


def tensors():
    special = np.array([0x80000000, 0x00000001, 0x7F7FFFFF, 0x3EAAAAAB, 0x7FC00001, 0xFF800000],
                       dtype="<u4").view("<f4")  # -0, smallest subnormal, max, 1/3, NaN payload, -inf
    return {
        "conv1.weight": (np.arange(18, dtype="<f4") / 8 - 1).reshape(2, 1, 3, 3),
        "conv1.bias": np.array([0.5, -2.25], dtype="<f4"),
        "bn.num_batches_tracked_as_float": np.array(7.0, dtype="<f4"),  # rank 0
        "empty": np.zeros((0, 4), dtype="<f4"),
        "fc.weight": special.reshape(2, 3),
    }


METADATA = {"format": "pt", "note": "Grüße \"quoted\" \\ back\tslash"}


def write_spec(path):
    ts = tensors()
    data_order = ["fc.weight", "empty", "conv1.bias", "bn.num_batches_tracked_as_float", "conv1.weight"]
    offsets, blob = {}, b""
    for name in data_order:
        raw = ts[name].astype("<f4").tobytes()
        offsets[name] = [len(blob), len(blob) + len(raw)]
        blob += raw
    header = {"__metadata__": METADATA}
    for name in sorted(ts, reverse=True):  # header order differs from data order
        header[name] = {"dtype": "F32", "shape": list(ts[name].shape), "data_offsets": offsets[name]}
    text = json.dumps(header).encode("utf-8")  # ensure_ascii: non-ASCII as \\u escapes
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + blob)


def write_torch(path):
    try:
        import torch
        from safetensors.torch import save_file
    except ImportError as e:
        print(f"skipping {path.name}: {e}")
        return
    save_file({k: torch.from_numpy(v.copy()) for k, v in tensors().items()}, str(path), metadata=METADATA)


def check(path):
    from safetensors import safe_open
    with safe_open(str(path), framework="pt") as f:
        print("metadata", f.metadata())
        for k in f.keys():
            t = f.get_tensor(k)
            print(k, t.dtype, tuple(t.shape), t.flatten()[:6].tolist())


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(Path(sys.argv[2]))
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    write_spec(out / "spec_f32.safetensors")
    write_torch(out / "torch_f32.safetensors")


if __name__ == "__main__":
    main()
