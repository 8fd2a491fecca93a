package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.F;
import static dev.panamacnn.simd.kernels.Vec.IOTA;
import static dev.panamacnn.simd.kernels.Vec.L;
import static dev.panamacnn.simd.kernels.Vec.ORDER;
import static dev.panamacnn.simd.kernels.Vec.fits;
import static jdk.incubator.vector.VectorOperators.LT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Element-wise kernels: the residual add fused with a clamp, a clamp alone, sigmoid and tanh,
 * matching {@link dev.panamacnn.core.reference.EltwiseRef} and
 * {@link dev.panamacnn.core.ops.Activation#apply(float)}.
 *
 * <p><b>Conventions.</b> Offsets are in <em>elements</em> (floats); each call computes elements
 * {@code [from, to)} relative to every operand's offset, so callers split a tensor's flat range
 * across threads. The output may be an input at the same offset (in place); other overlaps are
 * not allowed. Clamp bounds: ReLU = [0, +∞], ReLU6 = [0, 6], none = [−∞, +∞]; NaN propagates.
 * Nothing is allocated. Vectors of {@link Vec#L} floats, the tail masked (or scalar when a
 * vector there would stick out of the segment; see {@link Vec#fits}).
 *
 * <p><b>Accuracy.</b> Add and clamp are exact (the same float operations as the reference).
 * Sigmoid is {@code 1 / (1 + exp(−x))} and tanh is {@code lanewise(TANH)}, both on the Vector
 * API's float EXP/TANH (SVML on x86). Against the reference (double {@code Math.exp} /
 * {@code Math.tanh} rounded to float), measured over every 37th float in [−100, 100]: EXP and
 * TANH within 1 ulp, sigmoid within 2 ulps wherever the result is normal; below ≈ 1.2e−38
 * (x &lt; −87.3) sigmoid returns 0 where the reference returns a subnormal. That is inside
 * {@code Tolerance.elementwise()} (4 ulps, or 1e−7 absolute).
 */
public final class EltwiseKernels {
    private EltwiseKernels() {}

    /** {@code y = min(max(a + b, lo), hi)}. */
    public static void addClamp(MemorySegment a, long aOff, MemorySegment b, long bOff,
                                MemorySegment y, long yOff, float lo, float hi, long from, long to) {
        String op = "addClamp";
        Args.clamp(op, lo, hi);
        Args.range(op, "element", from, to);
        Args.fits(op, "a", a, aOff, to);
        Args.fits(op, "b", b, bOff, to);
        Args.fits(op, "output", y, yOff, to);
        FloatVector vlo = FloatVector.broadcast(F, lo), vhi = FloatVector.broadcast(F, hi);
        long ab = aOff * 4, bb = bOff * 4, yb = yOff * 4; // byte offsets of element 0
        long i = from;
        for (; i + L <= to; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(F, a, ab + i * 4, ORDER)
                    .add(FloatVector.fromMemorySegment(F, b, bb + i * 4, ORDER));
            v.max(vlo).min(vhi).intoMemorySegment(y, yb + i * 4, ORDER);
        }
        if (i < to && fits(a, ab + i * 4) && fits(b, bb + i * 4) && fits(y, yb + i * 4)) {
            VectorMask<Float> m = IOTA.compare(LT, to - i);
            FloatVector v = FloatVector.fromMemorySegment(F, a, ab + i * 4, ORDER, m)
                    .add(FloatVector.fromMemorySegment(F, b, bb + i * 4, ORDER, m));
            v.max(vlo).min(vhi).intoMemorySegment(y, yb + i * 4, ORDER, m);
            return;
        }
        Tails.addClamp(a, ab, b, bb, y, yb, i, to, lo, hi);
    }

    /** {@code y = min(max(x, lo), hi)}: ReLU, ReLU6 or any clip. */
    public static void clamp(MemorySegment x, long xOff, MemorySegment y, long yOff,
                             float lo, float hi, long from, long to) {
        String op = "clamp";
        Args.clamp(op, lo, hi);
        checkUnary(op, x, xOff, y, yOff, from, to);
        FloatVector vlo = FloatVector.broadcast(F, lo), vhi = FloatVector.broadcast(F, hi);
        long xb = xOff * 4, yb = yOff * 4;
        long i = from;
        for (; i + L <= to; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i * 4, ORDER);
            v.max(vlo).min(vhi).intoMemorySegment(y, yb + i * 4, ORDER);
        }
        if (i < to && fits(x, xb + i * 4) && fits(y, yb + i * 4)) {
            VectorMask<Float> m = IOTA.compare(LT, to - i);
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i * 4, ORDER, m);
            v.max(vlo).min(vhi).intoMemorySegment(y, yb + i * 4, ORDER, m);
            return;
        }
        Tails.clamp(x, xb, y, yb, i, to, lo, hi);
    }

    /** {@code y = 1 / (1 + e^−x)}. */
    public static void sigmoid(MemorySegment x, long xOff, MemorySegment y, long yOff, long from, long to) {
        checkUnary("sigmoid", x, xOff, y, yOff, from, to);
        FloatVector one = FloatVector.broadcast(F, 1f);
        long xb = xOff * 4, yb = yOff * 4;
        long i = from;
        for (; i + L <= to; i += L) {
            FloatVector e = FloatVector.fromMemorySegment(F, x, xb + i * 4, ORDER).neg().lanewise(VectorOperators.EXP);
            one.div(one.add(e)).intoMemorySegment(y, yb + i * 4, ORDER);
        }
        if (i < to && fits(x, xb + i * 4) && fits(y, yb + i * 4)) {
            VectorMask<Float> m = IOTA.compare(LT, to - i);
            FloatVector e = FloatVector.fromMemorySegment(F, x, xb + i * 4, ORDER, m).neg().lanewise(VectorOperators.EXP);
            one.div(one.add(e)).intoMemorySegment(y, yb + i * 4, ORDER, m);
            return;
        }
        Tails.sigmoid(x, xb, y, yb, i, to);
    }

    /** {@code y = tanh(x)}. */
    public static void tanh(MemorySegment x, long xOff, MemorySegment y, long yOff, long from, long to) {
        checkUnary("tanh", x, xOff, y, yOff, from, to);
        long xb = xOff * 4, yb = yOff * 4;
        long i = from;
        for (; i + L <= to; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i * 4, ORDER);
            v.lanewise(VectorOperators.TANH).intoMemorySegment(y, yb + i * 4, ORDER);
        }
        if (i < to && fits(x, xb + i * 4) && fits(y, yb + i * 4)) {
            VectorMask<Float> m = IOTA.compare(LT, to - i);
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i * 4, ORDER, m);
            v.lanewise(VectorOperators.TANH).intoMemorySegment(y, yb + i * 4, ORDER, m);
            return;
        }
        Tails.tanh(x, xb, y, yb, i, to);
    }

    private static void checkUnary(String op, MemorySegment x, long xOff, MemorySegment y,
                                   long yOff, long from, long to) {
        Args.range(op, "element", from, to);
        Args.fits(op, "input", x, xOff, to);
        Args.fits(op, "output", y, yOff, to);
    }
}
