package dev.panamacnn.simd.gemm;

import static dev.panamacnn.simd.gemm.GemmConfig.MR;
import static dev.panamacnn.simd.gemm.GemmConfig.NR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * One column of an output tile with vectors along M: {@code col[0..MR) = A-panel · B-panel[:, j]}.
 * It finishes N tails of a few columns (N = 49 = 3·16 + 1) that would otherwise cost a whole
 * vector of lanes in the micro-kernel: a row of the A panel is exactly one MR-lane vector, so each
 * k costs one load, one broadcast and one FMA. Four accumulators over k hide the FMA latency.
 * Available when MR floats form a vector shape (MR = 8: 256 bits).
 */
final class ColumnKernel {
    /** Whether MR lanes are a vector shape this machine has. */
    static final boolean AVAILABLE = MR * 32 <= GemmConfig.SPECIES.vectorBitSize() && Integer.bitCount(MR) == 1
            && MR * 32 >= 64;
    /** The narrowest remainder the micro-kernel handles better (4 columns cost about a 1-vector kernel). */
    static final int MAX_COLUMNS = 3;
    private static final VectorSpecies<Float> S = AVAILABLE
            ? VectorSpecies.of(float.class, VectorShape.forBitSize(MR * 32)) : GemmConfig.SPECIES;
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
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S),
                s3 = FloatVector.zero(S);
        long ap = aOff, bp = bOff + 4L * j;
        int k = 0;
        for (; k + 4 <= kc; k += 4, ap += 16L * MR, bp += 16L * NR) {
            s0 = FloatVector.fromMemorySegment(S, a, ap, NATIVE).fma(FloatVector.broadcast(S, b.get(FLOAT, bp)), s0);
            s1 = FloatVector.fromMemorySegment(S, a, ap + 4L * MR, NATIVE).fma(FloatVector.broadcast(S, b.get(FLOAT, bp + 4L * NR)), s1);
            s2 = FloatVector.fromMemorySegment(S, a, ap + 8L * MR, NATIVE).fma(FloatVector.broadcast(S, b.get(FLOAT, bp + 8L * NR)), s2);
            s3 = FloatVector.fromMemorySegment(S, a, ap + 12L * MR, NATIVE).fma(FloatVector.broadcast(S, b.get(FLOAT, bp + 12L * NR)), s3);
        }
        for (; k < kc; k++, ap += 4L * MR, bp += 4L * NR) {
            s0 = FloatVector.fromMemorySegment(S, a, ap, NATIVE).fma(FloatVector.broadcast(S, b.get(FLOAT, bp)), s0);
        }
        s0.add(s1).add(s2.add(s3)).intoMemorySegment(tile, colOff, NATIVE);
        for (int r = 0; r < MR; r++) {
            tile.set(FLOAT, ((long) r * NR + j) * 4, tile.get(FLOAT, colOff + 4L * r));
        }
    }
}
