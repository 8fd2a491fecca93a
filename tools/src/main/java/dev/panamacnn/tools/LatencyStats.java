package dev.panamacnn.tools;

import java.util.Arrays;

/** Median and tail latencies of a benchmark run, from per-iteration times in nanoseconds. */
record LatencyStats(int iterations, double medianMs, double p90Ms, double p99Ms, double minMs) {

    static LatencyStats of(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new LatencyStats(s.length, percentile(s, 50), percentile(s, 90), percentile(s, 99), s[0] / 1e6);
    }

    /** Nearest-rank percentile, in milliseconds. */
    static double percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }
}
