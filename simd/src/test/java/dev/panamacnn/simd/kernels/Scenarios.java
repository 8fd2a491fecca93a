package dev.panamacnn.simd.kernels;

import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Fixed calls of every kernel, one per code path (stride 1 / 2 / 3, fast 3×3, general k×k,
 * dilation, masked tails, [N, C] vs planes), over buffers allocated once. Used to bring the
 * kernels to C2 before the property tests (C1 and the interpreter run the Vector API's Java
 * fallback, not the intrinsics the benchmarks use) and by the allocation test.
 *
 * <p>A warmed-up kernel allocates nothing; code that still runs in the interpreter or C1 boxes
 * its vectors. So "warm" is measured, not guessed: a family is warm once a pass over all its
 * calls allocates 0 bytes on the Java heap.
 */
final class Scenarios {
    /** Calls of one kernel family; all are made in each round so every branch is profiled before C2. */
    record Family(String name, List<Runnable> calls) {}

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final Arena ARENA = Arena.ofShared(); // lives as long as the test JVM
    private static final int N = 1 << 14;
    private static final MemorySegment X = filled(N, 1), Y = filled(N, 2), Z = filled(N, 3);
    private static final MemorySegment W = filled(256, 4), B = filled(64, 5);
    private static final MemorySegment P1 = filled(64, 6), P2 = filled(64, 7), P3 = filled(64, 8);
    private static final MemorySegment P4 = filled(64, 9), P5 = filled(64, 10), P6 = filled(64, 11);

    private Scenarios() {}

    /** A segment of exactly n floats: vectors near its end would stick out of it. */
    private static MemorySegment tight(int n, long seed) {
        MemorySegment s = ARENA.allocate((long) n * Float.BYTES, 64);
        MemorySegment.copy(Fixtures.uniform(seed, n, 0.5f, 2f), 0, s, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, n);
        return s;
    }

    private static MemorySegment filled(int n, long seed) {
        MemorySegment s = ARENA.allocate((long) n * Float.BYTES, 64);
        float[] v = Fixtures.uniform(seed, n, 0.5f, 2f); // positive: also valid variances
        MemorySegment.copy(v, 0, s, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, n);
        return s;
    }

    // Tight operands: a 2×9×37 image and its 3×3/s2/p1 pooling (2×5×19), 13 planes of 49.
    private static final MemorySegment PX = tight(2 * 9 * 37, 21), PY = tight(2 * 5 * 19, 22), PG = tight(13, 23);
    // Tight depthwise operands: 3 planes of 9×40 (s1 and s2 outputs) and of 7×7.
    private static final MemorySegment DX = tight(3 * 9 * 40, 24), DY = tight(3 * 9 * 40, 25);
    private static final MemorySegment DS = tight(3 * 5 * 20, 26), NX = tight(3 * 7 * 7, 27), NY = tight(3 * 7 * 7, 28);
    private static final MemorySegment EX = tight(101, 29), EY = tight(101, 30);

    static Family pool() {
        Pool2dSpec stem = Pool2dSpec.of(3).stride(2).padding(1);
        Pool2dSpec two = Pool2dSpec.of(2).stride(2).ceilMode(true);
        Pool2dSpec s1 = Pool2dSpec.of(3, 2).stride(1).padding(1, 1, 0, 0).countIncludePad(false);
        Pool2dSpec s3 = Pool2dSpec.of(3).stride(3);
        return new Family("pool", List.of(
                () -> PoolKernels.maxPool2d(X, 1, Y, 0, 11, 71, stem, 0, 2),
                () -> PoolKernels.maxPool2d(X, 0, Y, 3, 10, 37, two, 1, 3),
                () -> PoolKernels.maxPool2d(X, 2, Y, 0, 7, 45, s1, 0, 2),
                () -> PoolKernels.maxPool2d(X, 0, Y, 0, 9, 20, s3, 0, 1),
                () -> PoolKernels.avgPool2d(X, 1, Y, 0, 11, 71, stem, 0, 2),
                () -> PoolKernels.avgPool2d(X, 0, Y, 3, 10, 37, two, 1, 3),
                () -> PoolKernels.avgPool2d(X, 2, Y, 0, 7, 45, s1, 0, 2),
                () -> PoolKernels.avgPool2d(X, 0, Y, 0, 9, 20, s3, 0, 1),
                () -> PoolKernels.globalAvgPool(X, 3, Y, 1, 49, 0, 5),
                () -> PoolKernels.globalAvgPool(X, 0, Y, 0, 70, 1, 3),
                () -> PoolKernels.globalMaxPool(X, 3, Y, 1, 49, 0, 5),
                () -> PoolKernels.globalMaxPool(X, 0, Y, 0, 7, 1, 3),
                () -> PoolKernels.maxPool2d(PX, 0, PY, 0, 9, 37, stem, 0, 2),
                () -> PoolKernels.globalAvgPool(PX, 0, PG, 0, 49, 0, 13),
                () -> PoolKernels.globalMaxPool(PX, 0, PG, 0, 49, 0, 13)));
    }

    static Family depthwise() {
        Conv2dSpec s1 = Conv2dSpec.of(3).padding(1).groups(3);
        Conv2dSpec s2 = Conv2dSpec.of(3).stride(2).padding(0, 1, 1, 0).groups(3);
        Conv2dSpec k5 = Conv2dSpec.of(5, 2).stride(1, 2).padding(2, 1, 2, 0).groups(3);
        Conv2dSpec dil = Conv2dSpec.of(3).stride(2).dilation(2).padding(2).groups(3);
        Conv2dSpec k1 = Conv2dSpec.of(2).stride(1).dilation(1, 3).padding(1).groups(3);
        Conv2dSpec s3 = Conv2dSpec.of(3).stride(3).padding(1).groups(3);
        Conv2dSpec stem2 = Conv2dSpec.of(3).stride(2).padding(1).groups(3);
        float inf = Float.POSITIVE_INFINITY;
        return new Family("depthwise", List.of(
                () -> DepthwiseConvKernels.depthwiseConv2d(X, 1, W, 0, B, 0, Y, 0, 3, 9, 53, s1, 0f, 6f, 0, 3),
                () -> DepthwiseConvKernels.depthwiseConv2d(X, 0, W, 2, null, 0, Y, 1, 3, 9, 75, s2, 0f, inf, 1, 4),
                () -> DepthwiseConvKernels.depthwiseConv2d(X, 0, W, 0, B, 1, Y, 0, 3, 9, 70, k5, -inf, inf, 0, 2),
                () -> DepthwiseConvKernels.depthwiseConv2d(X, 3, W, 0, B, 0, Y, 0, 3, 9, 80, dil, 0f, 6f, 0, 3),
                () -> DepthwiseConvKernels.depthwiseConv2d(X, 0, W, 0, B, 0, Y, 2, 3, 8, 40, k1, -1f, 1f, 0, 3),
                () -> DepthwiseConvKernels.depthwiseConv2d(X, 0, W, 0, B, 0, Y, 0, 3, 9, 30, s3, 0f, 6f, 0, 3),
                () -> DepthwiseConvKernels.depthwiseConv2d(DX, 0, W, 0, B, 0, DY, 0, 3, 9, 40, s1, 0f, 6f, 0, 3),
                () -> DepthwiseConvKernels.depthwiseConv2d(DX, 0, W, 0, B, 0, DS, 0, 3, 9, 40, stem2, 0f, 6f, 0, 3),
                () -> DepthwiseConvKernels.depthwiseConv2d(NX, 0, W, 0, B, 0, NY, 0, 3, 7, 7, s1, 0f, 6f, 0, 3),
                () -> DepthwiseConvKernels.depthwiseConv2d(DX, 0, W, 0, B, 0, DY, 0, 3, 9, 40, k5, 0f, 6f, 0, 3)));
    }

    static Family norm() {
        return new Family("norm", List.of(
                () -> NormKernels.affine(X, 1, P1, 0, P2, 0, Y, 0, 5, 49, 0f, 6f, 0, 10),
                () -> NormKernels.affine(Z, 0, P1, 1, P2, 2, Z, 0, 37, 1, 0f, 6f, 3, 74), // in place
                () -> NormKernels.batchNormTraining(X, 0, P1, 0, P2, 0, P3, 0, P4, 0, Y, 0, P5, 0, P6, 0,
                        2, 5, 53, 1e-5f, 0.1f, 0, 5),
                () -> NormKernels.batchNormTraining(X, 1, P1, 0, P2, 0, P3, 0, P4, 0, Y, 0, null, 0, null, 0,
                        4, 37, 1, 1e-5f, 0.1f, 2, 37),
                () -> NormKernels.affine(NX, 0, P1, 0, P2, 0, NY, 0, 3, 49, 0f, 6f, 0, 3),
                () -> NormKernels.affine(EX, 0, P1, 0, P2, 0, EY, 0, 37, 1, 0f, 6f, 0, 101)));
    }

    static Family eltwise() {
        float inf = Float.POSITIVE_INFINITY;
        return new Family("eltwise", List.of(
                () -> EltwiseKernels.addClamp(X, 1, Z, 0, Y, 0, 0f, inf, 0, 203),
                () -> EltwiseKernels.addClamp(Y, 0, Z, 0, Y, 0, -inf, inf, 5, 64),
                () -> EltwiseKernels.clamp(X, 0, Y, 3, 0f, 6f, 1, 150),
                () -> EltwiseKernels.sigmoid(X, 2, Y, 0, 0, 101),
                () -> EltwiseKernels.tanh(X, 0, Y, 0, 3, 99),
                () -> EltwiseKernels.addClamp(EX, 0, EX, 0, EY, 0, 0f, 6f, 0, 101),
                () -> EltwiseKernels.sigmoid(EX, 0, EY, 0, 0, 101),
                () -> SoftmaxKernels.softmax(EX, 0, EY, 0, 101, 0, 1)));
    }

    static Family softmax() {
        return new Family("softmax", List.of(
                () -> SoftmaxKernels.softmax(X, 1, Y, 0, 1000, 0, 2),
                () -> SoftmaxKernels.softmax(X, 0, Y, 0, 37, 1, 4),
                () -> SoftmaxKernels.softmax(X, 0, Y, 0, 10, 0, 3)));
    }

    private static final MemorySegment I2C = tight(3 * 9 * 49, 31);

    static Family im2col() {
        Conv2dSpec s1 = Conv2dSpec.of(3).padding(1);
        Conv2dSpec s2 = Conv2dSpec.of(3).stride(2).padding(1);
        Conv2dSpec odd = Conv2dSpec.of(2, 3).stride(3, 3).dilation(2, 1).padding(0, 2, 1, 0);
        return new Family("im2col", List.of(
                () -> Im2colKernels.im2col(X, 0, Y, 0, 2, 9, 40, s1, 0, 2),
                () -> Im2colKernels.im2col(X, 1, Y, 3, 2, 9, 75, s2, 1, 2),
                () -> Im2colKernels.im2col(X, 0, Y, 0, 2, 9, 23, odd, 0, 2),
                () -> Im2colKernels.im2col(NX, 0, I2C, 0, 3, 7, 7, s1, 0, 3)));
    }

    static List<Family> all() {
        return List.of(pool(), depthwise(), norm(), eltwise(), softmax(), im2col());
    }

    /**
     * Runs rounds of every call until a pass over the family allocates nothing or
     * {@code maxSeconds} have passed (C2 compiles in the background, so the limit is time, not
     * calls); returns the bytes allocated by the last pass (0 when warm).
     */
    static long warm(Family f, double maxSeconds) {
        long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
        long bytes;
        do {
            for (int i = 0; i < 250; i++) {
                for (Runnable call : f.calls()) call.run();
            }
            bytes = allocatedBy(f, 20);
        } while (bytes != 0 && System.nanoTime() < deadline);
        return bytes;
    }

    /** Java-heap bytes this thread allocates during {@code repeats} passes over the family. */
    static long allocatedBy(Family f, int repeats) {
        List<Runnable> calls = f.calls();
        int n = calls.size();
        long id = Thread.currentThread().threadId();
        long before = THREADS.getThreadAllocatedBytes(id);
        for (int r = 0; r < repeats; r++) {
            for (int i = 0; i < n; i++) calls.get(i).run();
        }
        return THREADS.getThreadAllocatedBytes(id) - before;
    }
}
