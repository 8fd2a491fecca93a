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
import jdk.incubator.vector.VectorShuffle;

/**
 * Numerically stable softmax over the last axis of {@code [rows, len]}, as
 * {@link dev.panamacnn.core.reference.SoftmaxRef} with axis −1:
 * {@code y_i = exp(x_i − max) / Σ_k exp(x_k − max)}.
 *
 * <p><b>Conventions.</b> Offsets are in <em>elements</em> (floats). Row r is the {@code len}
 * floats at {@code xOff + r·len} (and {@code yOff + r·len}); each call computes rows
 * {@code [fromRow, toRow)}. y may be x at the same offset (in place). Nothing is allocated.
 *
 * <p><b>Vectorisation.</b> Three passes per row, {@link Vec#L} floats at a time with a masked
 * tail: the maximum; {@code e = exp(x − max)} written to y and summed; y scaled by 1/Σ. The
 * float EXP is within 1 ulp (see {@link EltwiseKernels}); the float sum of {@code len} terms
 * adds up to ≈ √len·ε relative, so results agree with the double reference within
 * {@code forReduction(len, 1/len)} plus 4 ulps.
 */
public final class SoftmaxKernels {
    private SoftmaxKernels() {}

    public static void softmax(MemorySegment x, long xOff, MemorySegment y, long yOff, int len,
                               int fromRow, int toRow) {
        String op = "softmax";
        Args.positive(op, "row length", len);
        Args.range(op, "row", fromRow, toRow);
        Args.fits(op, "input", x, xOff, (long) toRow * len);
        Args.fits(op, "output", y, yOff, (long) toRow * len);
        for (int r = fromRow; r < toRow; r++) {
            long xr = (xOff + (long) r * len) * 4, yr = (yOff + (long) r * len) * 4; // bytes
            float max = rowMax(x, xr, len);
            float sum = expMinusMax(x, xr, y, yr, len, max);
            scale(y, yr, len, (float) (1.0 / sum));
        }
    }

    // One pass per method: each takes and returns scalars only (no vector crosses a call), and
    // stays small enough for C1, which gives up on large Vector API methods.

    /** max of the row at byte offset {@code at}; NaN propagates. */
    private static float rowMax(MemorySegment x, long at, int len) {
        FloatVector mx = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY); // local: see Vec
        int bound = F.loopBound(len), k = 0;
        for (; k < bound; k += L) mx = mx.max(FloatVector.fromMemorySegment(F, x, at + k * 4L, ORDER));
        if (k < len && fits(x, at + k * 4L)) {
            VectorMask<Float> tail = IOTA.compare(LT, len - k);
            FloatVector v = FloatVector.fromMemorySegment(F, x, at + k * 4L, ORDER, tail);
            return mx.lanewise(VectorOperators.MAX, v, tail).reduceLanes(VectorOperators.MAX);
        }
        return Tails.max(x, at, k, len, mx.reduceLanes(VectorOperators.MAX));
    }

    /** {@code y = exp(x − max)}; returns Σ y. */
    private static float expMinusMax(MemorySegment x, long xAt, MemorySegment y, long yAt, int len,
                                     float max) {
        FloatVector sum = FloatVector.zero(F);
        int bound = F.loopBound(len), k = 0;
        for (; k < bound; k += L) {
            FloatVector e = FloatVector.fromMemorySegment(F, x, xAt + k * 4L, ORDER).sub(max)
                    .lanewise(VectorOperators.EXP);
            e.intoMemorySegment(y, yAt + k * 4L, ORDER);
            sum = sum.add(e);
        }
        if (k < len && fits(x, xAt + k * 4L) && fits(y, yAt + k * 4L)) {
            VectorMask<Float> tail = IOTA.compare(LT, len - k);
            FloatVector e = FloatVector.fromMemorySegment(F, x, xAt + k * 4L, ORDER, tail).sub(max)
                    .lanewise(VectorOperators.EXP);
            e.intoMemorySegment(y, yAt + k * 4L, ORDER, tail);
            FloatVector t = sum.add(e, tail);
            for (VectorShuffle<Float> s : Vec.FOLDS) t = t.add(t.rearrange(s));
            return t.lane(0);
        }
        for (VectorShuffle<Float> s : Vec.FOLDS) sum = sum.add(sum.rearrange(s));
        return sum.lane(0) + Tails.expMinusMax(x, xAt, y, yAt, k, len, max);
    }

    /** {@code y *= s} over the row at byte offset {@code at}. */
    private static void scale(MemorySegment y, long at, int len, float s) {
        int bound = F.loopBound(len), k = 0;
        for (; k < bound; k += L) {
            FloatVector.fromMemorySegment(F, y, at + k * 4L, ORDER).mul(s).intoMemorySegment(y, at + k * 4L, ORDER);
        }
        if (k < len && fits(y, at + k * 4L)) {
            VectorMask<Float> tail = IOTA.compare(LT, len - k);
            FloatVector v = FloatVector.fromMemorySegment(F, y, at + k * 4L, ORDER, tail);
            v.mul(s).intoMemorySegment(y, at + k * 4L, ORDER, tail);
            return;
        }
        Tails.scale(y, at, k, len, s);
    }
}
