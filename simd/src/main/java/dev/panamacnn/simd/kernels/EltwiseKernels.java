package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.F;
import static dev.panamacnn.simd.kernels.Vec.IOTA;
import static dev.panamacnn.simd.kernels.Vec.L;
import static dev.panamacnn.simd.kernels.Vec.ORDER;
import static dev.panamacnn.simd.kernels.Vec.fits;
import static jdk.incubator.vector.VectorOperators.LT;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

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
            v = v.blend(vlo, v.compare(VectorOperators.LE, vlo)); // clamp by blends (see Vec)
            v.blend(vhi, v.compare(VectorOperators.GE, vhi)).intoMemorySegment(y, yb + i * 4, ORDER);
        }
        if (i < to && fits(a, ab + i * 4) && fits(b, bb + i * 4) && fits(y, yb + i * 4)) {
            VectorMask<Float> m = IOTA.compare(LT, to - i);
            FloatVector v = FloatVector.fromMemorySegment(F, a, ab + i * 4, ORDER, m)
                    .add(FloatVector.fromMemorySegment(F, b, bb + i * 4, ORDER, m));
            v = v.blend(vlo, v.compare(VectorOperators.LE, vlo)); // clamp by blends (see Vec)
            v.blend(vhi, v.compare(VectorOperators.GE, vhi)).intoMemorySegment(y, yb + i * 4, ORDER, m);
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
            v = v.blend(vlo, v.compare(VectorOperators.LE, vlo)); // clamp by blends (see Vec)
            v.blend(vhi, v.compare(VectorOperators.GE, vhi)).intoMemorySegment(y, yb + i * 4, ORDER);
        }
        if (i < to && fits(x, xb + i * 4) && fits(y, yb + i * 4)) {
            VectorMask<Float> m = IOTA.compare(LT, to - i);
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i * 4, ORDER, m);
            v = v.blend(vlo, v.compare(VectorOperators.LE, vlo)); // clamp by blends (see Vec)
            v.blend(vhi, v.compare(VectorOperators.GE, vhi)).intoMemorySegment(y, yb + i * 4, ORDER, m);
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

    /** {@code y = min(max(alpha·x + beta, 0), 1)}; with {@code times} also multiplied by x (hard-swish). */
    public static void hardSigmoid(MemorySegment x, long xOff, MemorySegment y, long yOff, float alpha, float beta,
                                   boolean times, long from, long to) {
        checkUnary("hardSigmoid", x, xOff, y, yOff, from, to);
        FloatVector va = FloatVector.broadcast(F, alpha), vb = FloatVector.broadcast(F, beta);
        FloatVector zero = FloatVector.zero(F), one = FloatVector.broadcast(F, 1f);
        long xb = xOff * 4, yb = yOff * 4;
        long i = from;
        for (; i + L <= to; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i * 4, ORDER);
            FloatVector h = v.fma(va, vb);
            h = h.blend(zero, h.compare(VectorOperators.LE, zero)); // clamp by blends (see Vec)
            h = h.blend(one, h.compare(VectorOperators.GE, one));
            (times ? h.mul(v) : h).intoMemorySegment(y, yb + i * 4, ORDER);
        }
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(0L, to - i);
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i * 4, ORDER, m);
            FloatVector h = v.fma(va, vb);
            h = h.blend(zero, h.compare(VectorOperators.LE, zero)); // clamp by blends (see Vec)
            h = h.blend(one, h.compare(VectorOperators.GE, one));
            (times ? h.mul(v) : h).intoMemorySegment(y, yb + i * 4, ORDER, m);
        }
    }

    /** Operator codes of {@link #binary}: add, sub, mul, div. */
    public static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3;

    /**
     * {@code y[i] = a[i] op b[i]} for i in [0, n), where a scalar operand ({@code aScalar} or
     * {@code bScalar}) is the one float at its offset, repeated: a row of a broadcast op.
     */
    public static void binary(int op, MemorySegment a, long aOff, boolean aScalar, MemorySegment b, long bOff,
                              boolean bScalar, MemorySegment y, long yOff, long n) {
        Args.range("binary", "element", 0, n);
        Args.fits("binary", "a", a, aOff, aScalar ? 1 : n);
        Args.fits("binary", "b", b, bOff, bScalar ? 1 : n);
        Args.fits("binary", "output", y, yOff, n);
        long ab = aOff * 4, bb = bOff * 4, yb = yOff * 4;
        // One small method per operand layout: a single method holding all three loops made C1's
        // tier-3 compile bail out ("out of virtual registers"), which left it in boxing tier-2 code.
        if (aScalar) binaryScalarA(op, a.get(JAVA_FLOAT, ab), b, bb, y, yb, n);
        else if (bScalar) binaryScalarB(op, a, ab, b.get(JAVA_FLOAT, bb), y, yb, n);
        else binaryElementwise(op, a, ab, b, bb, y, yb, n);
    }

    private static void binaryScalarA(int op, float a, MemorySegment b, long bb, MemorySegment y, long yb, long n) {
        FloatVector va = FloatVector.broadcast(F, a);
        long i = 0;
        for (; i + L <= n; i += L) {
            FloatVector vb = FloatVector.fromMemorySegment(F, b, bb + i * 4, ORDER);
            apply(op, va, vb).intoMemorySegment(y, yb + i * 4, ORDER);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(0L, n - i);
            FloatVector vb = FloatVector.fromMemorySegment(F, b, bb + i * 4, ORDER, m);
            apply(op, va, vb).intoMemorySegment(y, yb + i * 4, ORDER, m);
        }
    }

    private static void binaryScalarB(int op, MemorySegment a, long ab, float b, MemorySegment y, long yb, long n) {
        FloatVector vb = FloatVector.broadcast(F, b);
        long i = 0;
        for (; i + L <= n; i += L) {
            FloatVector va = FloatVector.fromMemorySegment(F, a, ab + i * 4, ORDER);
            apply(op, va, vb).intoMemorySegment(y, yb + i * 4, ORDER);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(0L, n - i);
            FloatVector va = FloatVector.fromMemorySegment(F, a, ab + i * 4, ORDER, m);
            apply(op, va, vb).intoMemorySegment(y, yb + i * 4, ORDER, m);
        }
    }

    private static void binaryElementwise(int op, MemorySegment a, long ab, MemorySegment b, long bb, MemorySegment y,
                                          long yb, long n) {
        long i = 0;
        for (; i + L <= n; i += L) {
            FloatVector va = FloatVector.fromMemorySegment(F, a, ab + i * 4, ORDER);
            FloatVector vb = FloatVector.fromMemorySegment(F, b, bb + i * 4, ORDER);
            apply(op, va, vb).intoMemorySegment(y, yb + i * 4, ORDER);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(0L, n - i);
            FloatVector va = FloatVector.fromMemorySegment(F, a, ab + i * 4, ORDER, m);
            FloatVector vb = FloatVector.fromMemorySegment(F, b, bb + i * 4, ORDER, m);
            apply(op, va, vb).intoMemorySegment(y, yb + i * 4, ORDER, m);
        }
    }

    // Force-inlined Vector API calls only: the switch picks one lane-wise op per call site.
    private static FloatVector apply(int op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            default -> a.div(b);
        };
    }

    private static void checkUnary(String op, MemorySegment x, long xOff, MemorySegment y,
                                   long yOff, long from, long to) {
        Args.range(op, "element", from, to);
        Args.fits(op, "input", x, xOff, to);
        Args.fits(op, "output", y, yOff, to);
    }
}
