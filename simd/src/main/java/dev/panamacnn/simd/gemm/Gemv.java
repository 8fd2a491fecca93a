package dev.panamacnn.simd.gemm;

import static dev.panamacnn.simd.gemm.GemmConfig.MR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix × vector on packed A: {@code y = clamp(A·x + bias)}, a dense layer at batch 1. A GEMM
 * with N = 1 would pack x into a 32-wide B panel (31 columns of zeros) and waste most of its
 * work; here each packed A panel row (MR floats for one k) is one vector, x[k] is broadcast
 * straight from x, and four accumulators over k hide the FMA latency. The loop streams A once,
 * so at batch 1 it runs at memory speed.
 */
public final class Gemv {
    /** Whether MR floats form a vector shape here (MR = 8: 256 bits). */
    public static final boolean AVAILABLE = ColumnKernel.AVAILABLE;
    private static final VectorSpecies<Float> S = AVAILABLE
            ? VectorSpecies.of(float.class, VectorShape.forBitSize(MR * 32)) : GemmConfig.SPECIES;
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
        if (!AVAILABLE) throw new IllegalStateException("no " + MR + "-float vector shape on this machine");
        MemorySegment as = a.segment();
        int k = a.k(), m = a.m();
        for (int p = p0; p < p1; p++) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S),
                    s3 = FloatVector.zero(S);
            long ap = (long) p * k * MR * 4, xp = xOff;
            int j = 0;
            for (; j + 4 <= k; j += 4, ap += 16L * MR, xp += 16) {
                s0 = FloatVector.fromMemorySegment(S, as, ap, NATIVE).fma(FloatVector.broadcast(S, x.get(FLOAT, xp)), s0);
                s1 = FloatVector.fromMemorySegment(S, as, ap + 4L * MR, NATIVE).fma(FloatVector.broadcast(S, x.get(FLOAT, xp + 4)), s1);
                s2 = FloatVector.fromMemorySegment(S, as, ap + 8L * MR, NATIVE).fma(FloatVector.broadcast(S, x.get(FLOAT, xp + 8)), s2);
                s3 = FloatVector.fromMemorySegment(S, as, ap + 12L * MR, NATIVE).fma(FloatVector.broadcast(S, x.get(FLOAT, xp + 12)), s3);
            }
            for (; j < k; j++, ap += 4L * MR, xp += 4) {
                s0 = FloatVector.fromMemorySegment(S, as, ap, NATIVE).fma(FloatVector.broadcast(S, x.get(FLOAT, xp)), s0);
            }
            FloatVector sum = s0.add(s1).add(s2.add(s3));
            int rows = Math.min(MR, m - p * MR);
            for (int r = 0; r < rows; r++) {
                int i = p * MR + r;
                float v = sum.lane(r) + bias.get(FLOAT, 4L * i);
                y.set(FLOAT, yOff + 4L * i, Math.min(hi, Math.max(lo, v)));
            }
        }
    }
}
