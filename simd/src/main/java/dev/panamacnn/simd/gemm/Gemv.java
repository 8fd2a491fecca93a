package dev.panamacnn.simd.gemm;

import static dev.panamacnn.simd.gemm.GemmConfig.MR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix × vector on packed A: {@code y = clamp(A·x + bias)}, a dense layer at batch 1. A GEMM
 * with N = 1 would pack x into a 32-wide B panel (31 columns of zeros) and waste most of its
 * work; here x[k] is broadcast straight from x and the loop streams A once, so at batch 1 it
 * runs at memory speed.
 *
 * <p>A vector holds two packed panel rows (k and k + 1, MR floats each) and is multiplied by
 * x[k] and x[k + 1] blended into its two halves; {@link ColumnKernel#SWAP} adds the halves at
 * the end. The code stays on the one species every other kernel uses (see {@link ColumnKernel}
 * for why that matters).
 */
public final class Gemv {
    /** Whether a vector holds exactly two panel rows here (MR = 8 and 16 lanes: AVX-512). */
    public static final boolean AVAILABLE = ColumnKernel.AVAILABLE;
    private static final VectorSpecies<Float> S = GemmConfig.SPECIES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final float[] LANE_INDEX = laneIndex();

    private Gemv() {}

    private static float[] laneIndex() {
        float[] index = new float[S.length()];
        for (int i = 0; i < index.length; i++) index[i] = i;
        return index;
    }

    /** Panels (of MR rows) in {@code a}: the unit of work to split across threads. */
    public static int panels(PackedA a) {
        return (a.m() + MR - 1) / MR;
    }

    /**
     * Rows of panels [p0, p1): {@code y[i] = clamp(Σ_k A[i][k]·x[k] + bias[i], lo, hi)} for
     * i &lt; M. Offsets in bytes; x holds K floats, y and bias M.
     */
    public static void run(PackedA a, int p0, int p1, MemorySegment x, long xOff, MemorySegment bias,
                           MemorySegment y, long yOff, float lo, float hi) {
        if (!AVAILABLE) throw new IllegalStateException("Gemv needs vectors of exactly 2 x " + MR + " floats, have " + S);
        MemorySegment as = a.segment();
        int k = a.k(), m = a.m();
        // Lanes [MR, 2·MR): the second k of a pair. Built per call, not kept in a static field
        // (a vector constant flowing into a loop was materialised, see kernels.Vec).
        VectorMask<Float> second = FloatVector.fromArray(S, LANE_INDEX, 0).compare(VectorOperators.GE, MR);
        for (int p = p0; p < p1; p++) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            long ap = (long) p * k * MR * 4, xp = xOff;
            int j = 0;
            for (; j + 4 <= k; j += 4, ap += 16L * MR, xp += 16) {
                FloatVector x0 = FloatVector.broadcast(S, x.get(FLOAT, xp))
                        .blend(FloatVector.broadcast(S, x.get(FLOAT, xp + 4)), second);
                FloatVector x1 = FloatVector.broadcast(S, x.get(FLOAT, xp + 8))
                        .blend(FloatVector.broadcast(S, x.get(FLOAT, xp + 12)), second);
                s0 = FloatVector.fromMemorySegment(S, as, ap, NATIVE).fma(x0, s0);
                s1 = FloatVector.fromMemorySegment(S, as, ap + 8L * MR, NATIVE).fma(x1, s1);
            }
            if (j + 2 <= k) {
                FloatVector x0 = FloatVector.broadcast(S, x.get(FLOAT, xp))
                        .blend(FloatVector.broadcast(S, x.get(FLOAT, xp + 4)), second);
                s0 = FloatVector.fromMemorySegment(S, as, ap, NATIVE).fma(x0, s0);
                j += 2;
                ap += 8L * MR;
                xp += 8;
            }
            FloatVector sum = s0.add(s1);
            sum = sum.add(sum.rearrange(ColumnKernel.SWAP));
            // An odd K's last column: one panel row, which a whole vector would read past.
            float last = j < k ? x.get(FLOAT, xp) : 0f;
            int rows = Math.min(MR, m - p * MR);
            for (int r = 0; r < rows; r++) {
                int i = p * MR + r;
                float v = sum.lane(r) + bias.get(FLOAT, 4L * i);
                if (j < k) v += as.get(FLOAT, ap + 4L * r) * last;
                y.set(FLOAT, yOff + 4L * i, Math.min(hi, Math.max(lo, v)));
            }
        }
    }
}
