package dev.panamacnn.simd.kernels;

/**
 * Column geometry shared by the sliding-window kernels (pooling, depthwise convolution,
 * im2col). Output column j reads input columns starting at {@code j·stride − padLeft}; a column
 * is <em>interior</em> when everything it reads lies inside the row, so it needs no bounds
 * tests. Vector blocks of {@link Vec#L} columns may read a little further than their last
 * window (stride 2 loads two whole vectors per tap), so they get their own limit.
 */
final class Windows {
    private Windows() {}

    /** First output column whose reads start at input column ≥ 0. */
    static int firstInterior(int padLeft, int stride) {
        return (padLeft + stride - 1) / stride;
    }

    /**
     * One past the last output column j (capped at {@code outW}, at least 0) whose reads
     * {@code [j·stride − padLeft, j·stride − padLeft + reach]} end inside a row of {@code width}.
     */
    static int endWithin(int width, int padLeft, int stride, int reach, int outW) {
        long last = Math.floorDiv((long) width - 1 - reach + padLeft, stride);
        return (int) Math.max(0, Math.min(outW, last + 1));
    }

    /**
     * One past the last column a vector block may cover: the block starting at j0 reads up to
     * {@code j0·stride − padLeft + blockReach}, and every column it covers must be interior
     * (interior end {@code interiorEnd}).
     */
    static int vectorEnd(int width, int padLeft, int stride, int blockReach, int interiorEnd) {
        long lastStart = Math.floorDiv((long) width - 1 - blockReach + padLeft, stride);
        return (int) Math.max(0, Math.min(interiorEnd, lastStart + Vec.L));
    }

    /** How far past its first column a block of L outputs at stride s reads, for taps spanning {@code span} columns. */
    static int blockReach(int stride, int span) {
        // Stride 1: the last lane reads span − 1 past its start. Stride 2: each tap loads the 2L
        // floats a‖b from its start, one more than the last lane needs.
        return stride == 1 ? span - 1 + Vec.L - 1 : span - 1 + 2 * Vec.L - 1;
    }
}
