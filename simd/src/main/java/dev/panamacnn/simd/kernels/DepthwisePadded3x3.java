package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.F;
import static dev.panamacnn.simd.kernels.Vec.L;
import static dev.panamacnn.simd.kernels.Vec.ORDER;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link DepthwisePadded}'s 3×3 planes (MobileNet's case, dilation 1), one whole plane per call: the nine
 * weights live in registers for the whole plane, each output vector sums in three independent
 * FMA chains (one per kernel column), and consecutive vectors overlap in the pipeline.
 * Measured on 112×112: 4.4 ns per output vector against 8.3 ns for the general tap loop.
 * Offsets are in bytes. Taps are plain (unaligned) loads: shifting aligned loads with lane
 * slices measured slower here.
 */
final class DepthwisePadded3x3 {
    private DepthwisePadded3x3() {}

    /**
     * Stride 1, dilation 1: output vector v of the flat plane at {@code out + 64·v} from the
     * padded plane at {@code pad + 64·v}, kernel rows {@code pitch} bytes apart.
     */
    static void flat(MemorySegment pad, long padOff, long pitch, int vectors, MemorySegment w, long wc,
                     float b, float lo, float hi, MemorySegment out, long outOff) {
        FloatVector w0 = FloatVector.broadcast(F, w.get(JAVA_FLOAT, wc)), w1 = FloatVector.broadcast(F, w.get(JAVA_FLOAT, wc + 4));
        FloatVector w2 = FloatVector.broadcast(F, w.get(JAVA_FLOAT, wc + 8)), w3 = FloatVector.broadcast(F, w.get(JAVA_FLOAT, wc + 12));
        FloatVector w4 = FloatVector.broadcast(F, w.get(JAVA_FLOAT, wc + 16)), w5 = FloatVector.broadcast(F, w.get(JAVA_FLOAT, wc + 20));
        FloatVector w6 = FloatVector.broadcast(F, w.get(JAVA_FLOAT, wc + 24)), w7 = FloatVector.broadcast(F, w.get(JAVA_FLOAT, wc + 28));
        FloatVector w8 = FloatVector.broadcast(F, w.get(JAVA_FLOAT, wc + 32));
        FloatVector bv = FloatVector.broadcast(F, b), vlo = FloatVector.broadcast(F, lo), vhi = FloatVector.broadcast(F, hi);
        long r1 = pitch, r2 = 2 * pitch;
        for (int v = 0; v < vectors; v++) {
            long a = padOff + 4L * L * v;
            FloatVector c = FloatVector.fromMemorySegment(F, pad, a, ORDER).fma(w0, bv);
            FloatVector d = FloatVector.fromMemorySegment(F, pad, a + 4, ORDER).mul(w1);
            FloatVector e = FloatVector.fromMemorySegment(F, pad, a + 8, ORDER).mul(w2);
            c = FloatVector.fromMemorySegment(F, pad, a + r1, ORDER).fma(w3, c);
            d = FloatVector.fromMemorySegment(F, pad, a + r1 + 4, ORDER).fma(w4, d);
            e = FloatVector.fromMemorySegment(F, pad, a + r1 + 8, ORDER).fma(w5, e);
            c = FloatVector.fromMemorySegment(F, pad, a + r2, ORDER).fma(w6, c);
            d = FloatVector.fromMemorySegment(F, pad, a + r2 + 4, ORDER).fma(w7, d);
            e = FloatVector.fromMemorySegment(F, pad, a + r2 + 8, ORDER).fma(w8, e);
            c = c.add(d).add(e);
            c = c.blend(vlo, c.compare(VectorOperators.LE, vlo)); // clamp by blends (see Vec)
            c.blend(vhi, c.compare(VectorOperators.GE, vhi)).intoMemorySegment(out, outOff + 4L * L * v, ORDER);
        }
    }
}
