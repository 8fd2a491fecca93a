package dev.panamacnn.simd.gemm;

import static dev.panamacnn.simd.gemm.GemmConfig.MR;
import static dev.panamacnn.simd.gemm.GemmConfig.NR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * One column of an output tile with vectors along M: {@code col[0..MR) = A-panel · B-panel[:, j]}.
 * It finishes N tails of a few columns (N = 49 = 3·16 + 1) that would otherwise cost a whole
 * vector of lanes in the micro-kernel.
 *
 * <p>A vector holds two rows of the A panel (k and k + 1), multiplied by B[k][j] into one
 * accumulator and by B[k + 1][j] into another; {@link #SWAP} lines up their useful halves at
 * the end. Half of each FMA is wasted, on purpose: a narrower species (one 8-float panel row per
 * 256-bit vector) was tried first, and in a process that also runs 512-bit kernels it made the
 * JDK's shared vector code see two vector classes. C2 then compiled some 512-bit kernels with
 * type checks that kept their vectors boxed (3× slower depthwise layers in 4 of 60 MobileNetV2
 * processes; the compile logs showed the speculative class checks, BENCHMARKS.md has the rest).
 * Every kernel now uses {@link GemmConfig#SPECIES}.
 */
final class ColumnKernel {
    /** Whether a vector holds exactly two panel rows (MR = 8 with 16 lanes). */
    static final boolean AVAILABLE = GemmConfig.SPECIES.length() == 2 * MR;
    /** The narrowest remainder the micro-kernel handles better (4 columns cost about a 1-vector kernel). */
    static final int MAX_COLUMNS = 3;
    private static final VectorSpecies<Float> S = GemmConfig.SPECIES;
    /** Lane i to lane i ± MR: the high half (odd k) under the low half (even k). */
    static final VectorShuffle<Float> SWAP = VectorShuffle.fromOp(S, i -> (i + MR) % S.length());
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ColumnKernel() {}

    /**
     * Writes column {@code j} (of the NR-wide B panel) of the product into the row-major scratch
     * tile (NR floats a row) at column {@code j}; {@code col} is MR floats of scratch at
     * {@code colOff}. Offsets in bytes.
     */
    static void run(MemorySegment a, long aOff, MemorySegment b, long bOff, int kc, int j,
            MemorySegment tile, long colOff) {
        FloatVector e0 = FloatVector.zero(S), o0 = FloatVector.zero(S), e1 = FloatVector.zero(S),
                o1 = FloatVector.zero(S);
        long ap = aOff, bp = bOff + 4L * j;
        int k = 0;
        for (; k + 4 <= kc; k += 4, ap += 16L * MR, bp += 16L * NR) {
            FloatVector a0 = FloatVector.fromMemorySegment(S, a, ap, NATIVE);
            FloatVector a1 = FloatVector.fromMemorySegment(S, a, ap + 8L * MR, NATIVE);
            e0 = a0.fma(FloatVector.broadcast(S, b.get(FLOAT, bp)), e0);
            o0 = a0.fma(FloatVector.broadcast(S, b.get(FLOAT, bp + 4L * NR)), o0);
            e1 = a1.fma(FloatVector.broadcast(S, b.get(FLOAT, bp + 8L * NR)), e1);
            o1 = a1.fma(FloatVector.broadcast(S, b.get(FLOAT, bp + 12L * NR)), o1);
        }
        if (k + 2 <= kc) {
            FloatVector a0 = FloatVector.fromMemorySegment(S, a, ap, NATIVE);
            e0 = a0.fma(FloatVector.broadcast(S, b.get(FLOAT, bp)), e0);
            o0 = a0.fma(FloatVector.broadcast(S, b.get(FLOAT, bp + 4L * NR)), o0);
            k += 2;
            ap += 8L * MR;
            bp += 8L * NR;
        }
        e0.add(e1).add(o0.add(o1).rearrange(SWAP)).intoMemorySegment(tile, colOff, NATIVE);
        // An odd K's last row of the panel: a whole vector would read past the panel.
        float last = k < kc ? b.get(FLOAT, bp) : 0f;
        for (int r = 0; r < MR; r++) {
            float v = tile.get(FLOAT, colOff + 4L * r);
            if (k < kc) v += a.get(FLOAT, ap + 4L * r) * last;
            tile.set(FLOAT, ((long) r * NR + j) * 4, v);
        }
    }
}
