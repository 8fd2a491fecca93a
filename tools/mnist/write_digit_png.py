#!/usr/bin/env python3
"""Writes one shipped MNIST digit as an 8-bit grey PNG (light strokes on black, as stored).

    /usr/bin/python3 tools/mnist/write_digit_png.py 8040 tools/src/test/resources/digits

Index 8040 (a 7) is among the held-out digits (the last 2,000 of the 10,000), so a model
trained by `train-mnist` has never seen it. The file is named digit-<index>-label-<label>.png.
Only the Python standard library is used: the PNG is written by hand (IHDR, one IDAT, IEND).
"""
import gzip
import struct
import sys
import zlib
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src/main/resources/dev/panamacnn/tools/mnist"


def read_idx(path, rank):
    raw = gzip.open(path).read()
    if struct.unpack(">I", raw[:4])[0] != 0x800 | rank:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file of rank {rank}")
    dims = struct.unpack(f">{rank}I", raw[4:4 + 4 * rank])
    return dims, raw[4 + 4 * rank:]


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png_grey(rows, width, height):
    # Filter type 0 (none) before every row.
    raw = b"".join(b"\x00" + rows[y * width:(y + 1) * width] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    index, out = int(sys.argv[1]), Path(sys.argv[2])
    (n, rows, cols), pixels = read_idx(DATA / "mnist-10k-images-idx3-ubyte.gz", 3)
    (_,), labels = read_idx(DATA / "mnist-10k-labels-idx1-ubyte.gz", 1)
    if not 0 <= index < n:
        raise SystemExit(f"index {index} is not in 0..{n - 1}")
    size = rows * cols
    digit = pixels[index * size:(index + 1) * size]
    path = out / f"digit-{index}-label-{labels[index]}.png"
    path.write_bytes(png_grey(digit, cols, rows))
    print(path)


if __name__ == "__main__":
    main()
