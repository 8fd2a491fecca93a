package dev.panamacnn.simd.gemm;

import static dev.panamacnn.simd.gemm.GemmConfig.MR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix × vector on packed A: {@code y = clamp(A·x + bias)}, a dense layer at batch 1. A GEMM
 * with N = 1 would pack x into a 32-wide B panel (31 columns of zeros) and waste most of its
 * work; here x[k] is broadcast straight from x and the loop streams A once, so at batch 1 it
 * runs at memory speed.
 *
 * <p>As in {@link ColumnKernel}, a vector holds two packed panel rows (k and k + 1, MR floats
 * each): it is multiplied by x[k] into one accumulator and by x[k + 1] into another, and
 * {@link ColumnKernel#SWAP} lines up their useful halves at the end, so the code stays on the
 * one species every other kernel uses (see there for why that matters).
 */
public final class Gemv {
    /** Whether a vector holds exactly two panel rows here (MR = 8 and 16 lanes: AVX-512). */
    public static final boolean AVAILABLE = ColumnKernel.AVAILABLE;
    private static final VectorSpecies<Float> S = GemmConfig.SPECIES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Gemv() {}

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
        for (int p = p0; p < p1; p++) {
            // e*: x[k] for even k (useful in the low half); o*: x[k] for odd k (high half).
            FloatVector e0 = FloatVector.zero(S), o0 = FloatVector.zero(S), e1 = FloatVector.zero(S),
                    o1 = FloatVector.zero(S);
            long ap = (long) p * k * MR * 4, xp = xOff;
            int j = 0;
            for (; j + 4 <= k; j += 4, ap += 16L * MR, xp += 16) {
                FloatVector a0 = FloatVector.fromMemorySegment(S, as, ap, NATIVE);
                FloatVector a1 = FloatVector.fromMemorySegment(S, as, ap + 8L * MR, NATIVE);
                e0 = a0.fma(FloatVector.broadcast(S, x.get(FLOAT, xp)), e0);
                o0 = a0.fma(FloatVector.broadcast(S, x.get(FLOAT, xp + 4)), o0);
                e1 = a1.fma(FloatVector.broadcast(S, x.get(FLOAT, xp + 8)), e1);
                o1 = a1.fma(FloatVector.broadcast(S, x.get(FLOAT, xp + 12)), o1);
            }
            if (j + 2 <= k) {
                FloatVector a0 = FloatVector.fromMemorySegment(S, as, ap, NATIVE);
                e0 = a0.fma(FloatVector.broadcast(S, x.get(FLOAT, xp)), e0);
                o0 = a0.fma(FloatVector.broadcast(S, x.get(FLOAT, xp + 4)), o0);
                j += 2;
                ap += 8L * MR;
                xp += 8;
            }
            FloatVector sum = e0.add(e1).add(o0.add(o1).rearrange(ColumnKernel.SWAP));
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
