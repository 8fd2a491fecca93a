#!/usr/bin/env python3
"""Per-layer table: panama-cnn's `bench --profile` output beside ONNX Runtime's profiling trace.

    bin/panama-cnn bench MODEL.onnx --threads 1 --warmup 300 --iterations 100 --profile > ours.txt
    java ... dev.panamacnn.benchmarks.OrtLayerProfile MODEL.onnx 400 1 /tmp/ort   # prints the trace path
    python3 tools/bench/compare_profiles.py ours.txt /tmp/ort_....json [ROWS]

Layers are matched by torchvision block (features.N / conv.K, layerN.M / convK, ...): ONNX
Runtime fuses and renames nodes (Conv+Clip -> one node), so a key sums every node of a block
part. Times are medians over the second half of the runs (after warm-up), in microseconds.
"""
import collections
import json
import re
import statistics
import sys


def key(name):
    m = re.search(r'features\.(\d+)/(?:conv/conv\.(\d))?', name)
    if m:
        return 'features.%s.%s' % (m.group(1), m.group(2) or '0')
    m = re.search(r'(layer\d)/\1\.(\d)/(conv\d|downsample)', name)
    if m:
        return '%s.%s.%s' % m.groups()
    for part in ('classifier', 'fc', 'conv1', 'maxpool', 'avgpool', 'GlobalAveragePool'):
        if part in name:
            return part
    return name


def ours(path):
    out = collections.defaultdict(float)
    for line in open(path):
        m = re.match(r'\s*([\d.]+) us\s+[\d.]+ %\s+\w+ (\S+)', line)
        if m:
            out[key(m.group(2))] += float(m.group(1))
    return out


def ort(path):
    per = collections.defaultdict(list)
    for e in json.load(open(path)):
        if e.get('cat') == 'Node' and e['name'].endswith('_kernel_time'):
            per[e['name'][:-len('_kernel_time')]].append(e['dur'])
    out = collections.defaultdict(float)
    for name, durations in per.items():
        out[key(name)] += statistics.median(durations[len(durations) // 2:])
    return out


def main():
    a, b = ours(sys.argv[1]), ort(sys.argv[2])
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    keys = sorted(set(a) | set(b), key=lambda k: b.get(k, 0) - a.get(k, 0))
    print('| layer | panama-cnn (us) | ONNX Runtime (us) | difference |')
    print('| --- | ---: | ---: | ---: |')
    for k in keys[:rows]:
        print('| %s | %.0f | %.0f | %+.0f |' % (k, a.get(k, 0), b.get(k, 0), a.get(k, 0) - b.get(k, 0)))
    print('| total | %.0f | %.0f | %+.0f |' % (sum(a.values()), sum(b.values()), sum(a.values()) - sum(b.values())))


if __name__ == '__main__':
    main()
