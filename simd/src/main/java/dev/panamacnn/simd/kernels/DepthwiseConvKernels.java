package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.EVEN;
import static dev.panamacnn.simd.kernels.Vec.F;
import static dev.panamacnn.simd.kernels.Vec.L;
import static dev.panamacnn.simd.kernels.Vec.ODD;
import static dev.panamacnn.simd.kernels.Vec.ORDER;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.panamacnn.core.ops.Conv2dSpec;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Depthwise 2-D convolution (groups = in channels = out channels, channel multiplier 1) with a
 * fused per-channel bias and clamp — MobileNetV2's 3×3 layers. Equals
 * {@link dev.panamacnn.core.reference.ConvRef#conv2d} with {@code spec.groups() == channels},
 * followed by {@code min(max(y, lo), hi)} (ReLU: [0, +∞], ReLU6: [0, 6], none: [−∞, +∞]).
 *
 * <p><b>Conventions.</b> Offsets are in <em>elements</em> (floats). Input plane p (p = n·C + c)
 * is the {@code height×width} floats at {@code xOff + p·height·width}; output plane p is the
 * {@code outH×outW} floats at {@code yOff + p·outH·outW}; weights are {@code [C, 1, kH, kW]}
 * at {@code wOff}; {@code bias} ({@code [C]} at {@code biasOff}) may be null for none. Each call
 * computes planes {@code [fromPlane, toPlane)}; the output must not overlap the input. Nothing
 * is allocated.
 *
 * <p><b>Vectorisation.</b> Along the output row, {@link Vec#L} columns per block, one FMA per
 * tap with the weight broadcast; the last block overlaps its neighbour instead of masking. 3×3
 * kernels (dilation 1) with horizontal stride 1 or 2 keep the nine weights in registers for the
 * whole plane. Stride 2 loads two vectors a‖b per tap and keeps the even columns (one permute);
 * with dilation 1 a pair serves two taps (even → q, odd → q+1). Border columns, rows narrower
 * than a vector and horizontal strides ≥ 3 use a scalar loop. Sums are float FMAs (the
 * reference sums in double): results agree within
 * {@code Tolerance.forReduction(kH·kW + 1, |x|·|w|)}.
 */
public final class DepthwiseConvKernels {
    private DepthwiseConvKernels() {}

    /** Computes planes {@code [fromPlane, toPlane)}; see the class comment for the layout. */
    public static void depthwiseConv2d(MemorySegment x, long xOff, MemorySegment w, long wOff,
                                       MemorySegment bias, long biasOff, MemorySegment y, long yOff,
                                       int channels, int height, int width, Conv2dSpec spec,
                                       float lo, float hi, int fromPlane, int toPlane) {
        long outPlane = check(x, xOff, w, wOff, bias, biasOff, y, yOff, channels, height, width,
                spec, lo, hi, fromPlane, toPlane);
        int taps = spec.kernelH() * spec.kernelW();
        int sw = spec.strideW(), ow = spec.outW(width), pl = spec.padLeft();
        boolean fast = spec.kernelH() == 3 && spec.kernelW() == 3 && spec.dilationH() == 1
                && spec.dilationW() == 1 && (sw == 1 || sw == 2);
        // Geometry of the 3×3 fast path: interior columns [jLo, vecEnd), interior rows [iLo, iHi).
        int jLo = Math.min(ow, Windows.firstInterior(pl, sw));
        int vecEnd = Windows.vectorEnd(width, pl, sw, Windows.blockReach(sw, 3),
                Windows.endWithin(width, pl, sw, 2, ow));
        boolean vector = fast && vecEnd - jLo >= L;
        int iLo = vector ? firstInteriorRow(spec) : 0, iHi = vector ? interiorRowEnd(spec, height) : 0;
        for (int p = fromPlane; p < toPlane; p++) {
            int c = p % channels;
            long xp = xOff + (long) p * height * width, yp = yOff + p * outPlane;
            long wc = wOff + (long) c * taps;
            float b = bias == null ? 0f : bias.getAtIndex(JAVA_FLOAT, biasOff + c);
            if (vector) {
                borders(x, xp, w, wc, b, y, yp, height, width, spec, lo, hi, jLo, vecEnd, iLo, iHi);
                if (sw == 1) {
                    interior3x3s1(x, xp, w, wc, b, y, yp, width, spec, lo, hi, jLo, vecEnd, iLo, iHi);
                } else {
                    interior3x3s2(x, xp, w, wc, b, y, yp, width, spec, lo, hi, jLo, vecEnd, iLo, iHi);
                }
            } else {
                for (int i = 0, oh = spec.outH(height); i < oh; i++) {
                    row(x, xp, w, wc, b, y, yp + (long) i * ow, height, width, spec, i, lo, hi);
                }
            }
        }
    }

    // ------------------------------------------------------------------ 3×3 interior

    /*
     * A 3×3 plane runs in two parts. borders() does everything that needs bounds tests: the rows
     * whose window leaves the input (general row path) and the border columns of the other rows
     * (scalar). interior3x3s*() then covers the rest with nothing but inlined vector operations.
     *
     * Why the loop over the three kernel rows is not written out: each Vector API operation on a
     * MemorySegment costs C2 about 400–600 IR nodes while parsing, and past its inlining budget
     * (NodeCountInliningCutoff, 18 000 nodes) further operations stay calls that box their
     * vectors — measured: a fully written-out 3×3 block (nine weights in registers, nine loads,
     * nine FMAs) lost its later loads that way and allocated ~20 KB per plane. The constant
     * trip count lets C2 unroll the loop after parsing, so the machine code is the same
     * straight line; the weights are broadcast from memory (L1) at each use.
     */

    private static void interior3x3s1(MemorySegment x, long xp, MemorySegment w, long wc, float b,
                                      MemorySegment y, long yp, int wd, Conv2dSpec s, float lo,
                                      float hi, int jLo, int vecEnd, int iLo, int iHi) {
        int ow = s.outW(wd);
        FloatVector vlo = FloatVector.broadcast(F, lo), vhi = FloatVector.broadcast(F, hi);
        for (int i = iLo; i < iHi; i++) {
            long yRow = yp + (long) i * ow;
            long r0 = xp + (long) (i * s.strideH() - s.padTop()) * wd - s.padLeft();
            for (int j0 = jLo; ; j0 = Math.min(j0 + L, vecEnd - L)) {
                FloatVector acc = FloatVector.broadcast(F, b);
                for (int k = 0; k < 3; k++) {
                    long a = (r0 + j0 + (long) k * wd) * 4, wk = wc + 3 * k; // a in bytes
                    FloatVector w0 = FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wk));
                    FloatVector w1 = FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wk + 1));
                    FloatVector w2 = FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wk + 2));
                    acc = FloatVector.fromMemorySegment(F, x, a, ORDER).fma(w0, acc);
                    acc = FloatVector.fromMemorySegment(F, x, a + 4, ORDER).fma(w1, acc);
                    acc = FloatVector.fromMemorySegment(F, x, a + 8, ORDER).fma(w2, acc);
                }
                acc.max(vlo).min(vhi).intoMemorySegment(y, (yRow + j0) * 4, ORDER);
                if (j0 + L >= vecEnd) break;
            }
        }
    }

    private static void interior3x3s2(MemorySegment x, long xp, MemorySegment w, long wc, float b,
                                      MemorySegment y, long yp, int wd, Conv2dSpec s, float lo,
                                      float hi, int jLo, int vecEnd, int iLo, int iHi) {
        int ow = s.outW(wd);
        FloatVector vlo = FloatVector.broadcast(F, lo), vhi = FloatVector.broadcast(F, hi);
        for (int i = iLo; i < iHi; i++) {
            long yRow = yp + (long) i * ow;
            long r0 = xp + (long) (i * s.strideH() - s.padTop()) * wd - s.padLeft();
            for (int j0 = jLo; ; j0 = Math.min(j0 + L, vecEnd - L)) {
                FloatVector acc = FloatVector.broadcast(F, b);
                for (int k = 0; k < 3; k++) {
                    // a‖b gives taps 0 (even columns) and 1 (odd); c‖d, two columns on, tap 2.
                    long a = (r0 + 2L * j0 + (long) k * wd) * 4, wk = wc + 3 * k; // a in bytes
                    FloatVector w0 = FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wk));
                    FloatVector w1 = FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wk + 1));
                    FloatVector w2 = FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wk + 2));
                    FloatVector va = FloatVector.fromMemorySegment(F, x, a, ORDER);
                    FloatVector vb = FloatVector.fromMemorySegment(F, x, a + 4L * L, ORDER);
                    FloatVector vc = FloatVector.fromMemorySegment(F, x, a + 8, ORDER);
                    FloatVector vd = FloatVector.fromMemorySegment(F, x, a + 8 + 4L * L, ORDER);
                    acc = EVEN.selectFrom(va, vb).fma(w0, acc);
                    acc = ODD.selectFrom(va, vb).fma(w1, acc);
                    acc = EVEN.selectFrom(vc, vd).fma(w2, acc);
                }
                acc.max(vlo).min(vhi).intoMemorySegment(y, (yRow + j0) * 4, ORDER);
                if (j0 + L >= vecEnd) break;
            }
        }
    }

    /** Rows outside {@code [iLo, iHi)} in full, and columns outside {@code [jLo, vecEnd)} of the others. */
    private static void borders(MemorySegment x, long xp, MemorySegment w, long wc, float b,
                                MemorySegment y, long yp, int h, int wd, Conv2dSpec s, float lo,
                                float hi, int jLo, int vecEnd, int iLo, int iHi) {
        int oh = s.outH(h), ow = s.outW(wd);
        for (int i = 0; i < oh; i++) {
            long yRow = yp + (long) i * ow;
            if (i < iLo || i >= iHi) {
                row(x, xp, w, wc, b, y, yRow, h, wd, s, i, lo, hi);
                continue;
            }
            for (int j = 0; j < jLo; j++) {
                y.setAtIndex(JAVA_FLOAT, yRow + j, output(x, xp, w, wc, b, h, wd, s, i, j, lo, hi));
            }
            for (int j = vecEnd; j < ow; j++) {
                y.setAtIndex(JAVA_FLOAT, yRow + j, output(x, xp, w, wc, b, h, wd, s, i, j, lo, hi));
            }
        }
    }

    /** First output row whose three input rows (dilation 1) start at row ≥ 0. */
    private static int firstInteriorRow(Conv2dSpec s) {
        return (s.padTop() + s.strideH() - 1) / s.strideH();
    }

    /** One past the last output row whose three input rows end inside the input (≥ firstInteriorRow). */
    private static int interiorRowEnd(Conv2dSpec s, int h) {
        long last = Math.floorDiv((long) h - 3 + s.padTop(), s.strideH());
        return (int) Math.max(firstInteriorRow(s), Math.min(s.outH(h), last + 1));
    }

    // ------------------------------------------------------------------ any kernel, stride, dilation

    /** Output row i of one plane: vector blocks over the interior columns (strides 1, 2), scalar elsewhere. */
    private static void row(MemorySegment x, long xp, MemorySegment w, long wc, float b,
                            MemorySegment y, long yRow, int h, int wd, Conv2dSpec s, int i,
                            float lo, float hi) {
        int ow = s.outW(wd), sw = s.strideW(), pl = s.padLeft();
        int span = (s.kernelW() - 1) * s.dilationW() + 1;
        int jLo = Math.min(ow, Windows.firstInterior(pl, sw));
        int vecEnd = sw <= 2 ? Windows.vectorEnd(wd, pl, sw, Windows.blockReach(sw, span),
                Windows.endWithin(wd, pl, sw, span - 1, ow)) : 0;
        int j = 0;
        if (vecEnd - jLo >= L) {
            for (; j < jLo; j++) {
                y.setAtIndex(JAVA_FLOAT, yRow + j, output(x, xp, w, wc, b, h, wd, s, i, j, lo, hi));
            }
            for (int j0 = jLo; ; j0 = Math.min(j0 + L, vecEnd - L)) {
                block(x, xp, w, wc, b, h, wd, s, i, j0, lo, hi, y, yRow);
                if (j0 + L >= vecEnd) break;
            }
            j = vecEnd;
        }
        for (; j < ow; j++) {
            y.setAtIndex(JAVA_FLOAT, yRow + j, output(x, xp, w, wc, b, h, wd, s, i, j, lo, hi));
        }
    }

    /**
     * Stores outputs {@code [j0, j0 + L)} of row i (all columns interior, rows clipped). It
     * stores rather than returns the vector, so no vector crosses a call boundary.
     */
    private static void block(MemorySegment x, long xp, MemorySegment w, long wc, float b,
                              int h, int wd, Conv2dSpec s, int i, int j0, float lo, float hi,
                              MemorySegment y, long yRow) {
        int kh = s.kernelH(), kw = s.kernelW(), dh = s.dilationH(), dw = s.dilationW();
        int y0 = i * s.strideH() - s.padTop();
        FloatVector acc = FloatVector.broadcast(F, b);
        for (int p = 0; p < kh; p++) {
            int yy = y0 + p * dh;
            if (yy < 0 || yy >= h) continue;
            long row = (xp + (long) yy * wd + (long) j0 * s.strideW() - s.padLeft()) * 4; // bytes
            long wr = wc + (long) p * kw;
            if (s.strideW() == 1) {
                for (int q = 0; q < kw; q++) {
                    FloatVector wq = FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wr + q));
                    acc = FloatVector.fromMemorySegment(F, x, row + 4L * q * dw, ORDER).fma(wq, acc);
                }
            } else if (dw == 1) {
                for (int q = 0; q < kw; q += 2) {
                    FloatVector a = FloatVector.fromMemorySegment(F, x, row + 4L * q, ORDER);
                    FloatVector c = FloatVector.fromMemorySegment(F, x, row + 4L * (q + L), ORDER);
                    acc = EVEN.selectFrom(a, c).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wr + q)), acc);
                    if (q + 1 < kw) {
                        acc = ODD.selectFrom(a, c).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wr + q + 1)), acc);
                    }
                }
            } else {
                for (int q = 0; q < kw; q++) {
                    long at = row + 4L * q * dw;
                    FloatVector a = FloatVector.fromMemorySegment(F, x, at, ORDER);
                    FloatVector c = FloatVector.fromMemorySegment(F, x, at + 4L * L, ORDER);
                    acc = EVEN.selectFrom(a, c).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wr + q)), acc);
                }
            }
        }
        acc.max(lo).min(hi).intoMemorySegment(y, (yRow + j0) * 4, ORDER);
    }

    /** One clamped output by direct summation with bounds tests (border columns, strides ≥ 3). */
    private static float output(MemorySegment x, long xp, MemorySegment w, long wc, float b,
                                int h, int wd, Conv2dSpec s, int i, int j, float lo, float hi) {
        int kh = s.kernelH(), kw = s.kernelW();
        int y0 = i * s.strideH() - s.padTop(), z0 = j * s.strideW() - s.padLeft();
        float acc = b;
        for (int p = 0; p < kh; p++) {
            int yy = y0 + p * s.dilationH();
            if (yy < 0 || yy >= h) continue;
            for (int q = 0; q < kw; q++) {
                int z = z0 + q * s.dilationW();
                if (z < 0 || z >= wd) continue;
                acc = Math.fma(x.getAtIndex(JAVA_FLOAT, xp + (long) yy * wd + z),
                        w.getAtIndex(JAVA_FLOAT, wc + (long) p * kw + q), acc);
            }
        }
        return Math.min(Math.max(acc, lo), hi);
    }

    // ------------------------------------------------------------------ checks

    private static long check(MemorySegment x, long xOff, MemorySegment w, long wOff,
                              MemorySegment bias, long biasOff, MemorySegment y, long yOff,
                              int channels, int height, int width, Conv2dSpec spec, float lo,
                              float hi, int fromPlane, int toPlane) {
        String op = "depthwiseConv2d";
        if (spec == null) throw new IllegalArgumentException(op + ": spec expected, got null");
        Args.positive(op, "channels", channels);
        Args.positive(op, "height", height);
        Args.positive(op, "width", width);
        if (spec.groups() != channels) {
            throw new IllegalArgumentException(op + ": spec groups expected " + channels
                    + " (= channels, multiplier 1), got " + spec.groups());
        }
        Args.clamp(op, lo, hi);
        Args.range(op, "plane", fromPlane, toPlane);
        long outPlane = (long) spec.outH(height) * spec.outW(width); // throws if the kernel does not fit
        Args.fits(op, "input", x, xOff, (long) toPlane * height * width);
        Args.fits(op, "weight", w, wOff, (long) channels * spec.kernelH() * spec.kernelW());
        if (bias != null) Args.fits(op, "bias", bias, biasOff, channels);
        Args.fits(op, "output", y, yOff, toPlane * outPlane);
        return outPlane;
    }
}
