package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.EVEN;
import static dev.panamacnn.simd.kernels.Vec.F;
import static dev.panamacnn.simd.kernels.Vec.IOTA;
import static dev.panamacnn.simd.kernels.Vec.L;
import static dev.panamacnn.simd.kernels.Vec.ODD;
import static dev.panamacnn.simd.kernels.Vec.ORDER;
import static dev.panamacnn.simd.kernels.Vec.fits;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LT;

import dev.panamacnn.core.ops.Conv2dSpec;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

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
 * <p><b>Vectorisation</b> (horizontal strides 1 and 2; larger strides run a scalar loop). Each
 * output row is computed {@link Vec#L} columns at a time, one FMA per tap with the weight
 * broadcast; stride 2 loads two vectors a‖b per tap and keeps the even columns (one two-vector
 * permute). MobileNet's case — 3×3, dilation 1, padding 1 — has its own code
 * ({@link Depthwise3x3}): one short FMA chain per kernel row, edges from lane shifts,
 * whole-row blocks for 14×14 and 7×7 planes. Any other geometry takes general
 * blocks: unmasked where every tap lies inside the row (the last block overlaps its neighbour
 * instead of masking), masked loads elsewhere, so no output is computed element by element.
 * Sums are float FMAs (the reference sums in double): results agree within
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
        int oh = spec.outH(height), ow = spec.outW(width), sw = spec.strideW(), pl = spec.padLeft();
        int span = (spec.kernelW() - 1) * spec.dilationW() + 1;
        // General path: unmasked blocks over the interior columns [jLo, vecEnd), masked elsewhere.
        int jLo = Math.min(ow, Windows.firstInterior(pl, sw));
        int vecEnd = sw <= 2 ? Windows.vectorEnd(width, pl, sw, Windows.blockReach(sw, span),
                Windows.endWithin(width, pl, sw, span - 1, ow)) : 0;
        if (vecEnd - jLo < L) vecEnd = jLo; // too narrow for an unmasked block
        // 3×3 path (Depthwise3x3): whole narrow rows, or edges plus interior columns [1, jEnd).
        boolean k3 = Depthwise3x3.applies(spec.kernelH(), spec.kernelW(), spec.dilationH(),
                spec.dilationW(), pl, spec.padRight(), sw);
        boolean narrow = k3 && Depthwise3x3.narrow(width, sw, spec.padRight());
        int jEnd = sw == 1 ? ow - spec.padRight() : Math.min(ow, Math.min(width / 2, (width - 2 * L) / 2 + L));
        boolean wide = k3 && !narrow && jEnd - 1 >= L && width >= (sw == 1 ? L + 1 : 2 * L);
        for (int p = fromPlane; p < toPlane; p++) {
            int c = p % channels;
            long xp = xOff + (long) p * height * width, yp = yOff + p * outPlane;
            long wc = wOff + (long) c * taps;
            float b = bias == null ? 0f : bias.getAtIndex(JAVA_FLOAT, biasOff + c);
            int sh = spec.strideH(), pt = spec.padTop();
            if (wide) { // edges, then the interior
                if (sw == 1) {
                    Depthwise3x3.leftS1(x, xp, w, wc, b, y, yp, height, width, oh, ow, sh, pt, lo, hi);
                    if (jEnd < ow) Depthwise3x3.rightS1(x, xp, w, wc, b, y, yp, height, width, oh, ow, sh, pt, lo, hi);
                    Depthwise3x3.interiorS1(x, xp, w, wc, b, y, yp, height, width, oh, ow, sh, pt, lo, hi, 1, jEnd);
                } else {
                    Depthwise3x3.leftS2(x, xp, w, wc, b, y, yp, height, width, oh, ow, sh, pt, lo, hi);
                    for (int i = 0; jEnd < ow && i < oh; i++) {
                        maskedColumns(x, xp, w, wc, b, y, yp + (long) i * ow, height, width, spec, i, lo, hi, 0, jEnd);
                    }
                    Depthwise3x3.interiorS2(x, xp, w, wc, b, y, yp, height, width, oh, ow, sh, pt, lo, hi, 1, jEnd);
                }
                continue;
            }
            for (int i = 0; i < oh; i++) {
                long yRow = yp + (long) i * ow;
                int y0 = i * sh - pt;
                if (narrow && sw == 1) {
                    Depthwise3x3.narrowRowS1(x, xp, w, wc, b, y, yRow, height, width, y0, lo, hi);
                } else if (narrow) {
                    Depthwise3x3.narrowRowS2(x, xp, w, wc, b, y, yRow, height, width, ow, y0, lo, hi);
                } else if (sw <= 2) {
                    maskedColumns(x, xp, w, wc, b, y, yRow, height, width, spec, i, lo, hi, jLo, vecEnd);
                    interiorRow(x, xp, w, wc, b, y, yRow, height, width, spec, i, lo, hi, jLo, vecEnd);
                } else {
                    for (int j = 0; j < ow; j++) {
                        y.setAtIndex(JAVA_FLOAT, yRow + j, output(x, xp, w, wc, b, height, width, spec, i, j, lo, hi));
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ any kernel, strides 1–2

    /** Interior columns {@code [jLo, vecEnd)} of row i with unmasked blocks (any k, dilation). */
    private static void interiorRow(MemorySegment x, long xp, MemorySegment w, long wc, float b,
                                    MemorySegment y, long yRow, int h, int wd, Conv2dSpec s, int i,
                                    float lo, float hi, int jLo, int vecEnd) {
        if (vecEnd <= jLo) return;
        for (int j0 = jLo; ; j0 = Math.min(j0 + L, vecEnd - L)) {
            block(x, xp, w, wc, b, h, wd, s, i, j0, lo, hi, y, yRow);
            if (j0 + L >= vecEnd) break;
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
                    acc = FloatVector.fromMemorySegment(F, x, row + 4L * q * dw, ORDER).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wr + q)), acc);
                }
            } else if (dw == 1) {
                for (int q = 0; q < kw; q += 2) {
                    FloatVector a = FloatVector.fromMemorySegment(F, x, row + 4L * q, ORDER);
                    FloatVector c = FloatVector.fromMemorySegment(F, x, row + 4L * (q + L), ORDER);
                    acc = EVEN.selectFrom(a, c).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wr + q)), acc);
                    if (q + 1 < kw) acc = ODD.selectFrom(a, c).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wr + q + 1)), acc);
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

    /**
     * Outputs {@code [0, jLo)} and {@code [vecEnd, ow)} of row i (border columns, or the whole row
     * when it is too narrow for unmasked blocks) with masked blocks: every load is masked to the
     * columns inside the input row, so padding reads as the zeros it stands for, and every store
     * to those two ranges. One loop serves both ranges so C2 sees one copy of the vector code.
     */
    private static void maskedColumns(MemorySegment x, long xp, MemorySegment w, long wc, float b,
                                      MemorySegment y, long yRow, int h, int wd, Conv2dSpec s, int i,
                                      float lo, float hi, int jLo, int vecEnd) {
        int ow = s.outW(wd), kh = s.kernelH(), kw = s.kernelW(), dh = s.dilationH(), dw = s.dilationW();
        int sw = s.strideW(), y0 = i * s.strideH() - s.padTop();
        FloatVector vlo = FloatVector.broadcast(F, lo), vhi = FloatVector.broadcast(F, hi);
        for (int j0 = 0; j0 < ow; ) {
            if (j0 >= jLo && j0 < vecEnd) j0 = vecEnd; // the interior is done unmasked
            if (j0 >= ow) break;
            int start = Math.max(0, Math.min(j0, ow - L)); // stay inside the row when it is wide enough
            if (!blockFits(x, xp, y, yRow, h, wd, s, y0, start)) {
                // A vector here would stick out of a segment (see Vec.fits): scalar outputs.
                for (int j = start; j < Math.min(start + L, ow); j++) {
                    if (j < jLo || j >= vecEnd) {
                        y.setAtIndex(JAVA_FLOAT, yRow + j, output(x, xp, w, wc, b, h, wd, s, i, j, lo, hi));
                    }
                }
                j0 = start + L;
                continue;
            }
            FloatVector acc = FloatVector.broadcast(F, b);
            for (int p = 0; p < kh; p++) {
                int yy = y0 + p * dh;
                if (yy < 0 || yy >= h) continue;
                long row = xp + (long) yy * wd, wr = wc + (long) p * kw;
                for (int q = 0; q < kw; q++) {
                    int c = start * sw - s.padLeft() + q * dw; // input column of lane 0
                    FloatVector col = IOTA.add(c);
                    VectorMask<Float> ma = col.compare(GE, 0f).and(col.compare(LT, wd));
                    FloatVector a = FloatVector.fromMemorySegment(F, x, (row + c) * 4, ORDER, ma);
                    if (sw == 2) {
                        FloatVector colB = IOTA.add(c + L);
                        VectorMask<Float> mb = colB.compare(GE, 0f).and(colB.compare(LT, wd));
                        a = EVEN.selectFrom(a, FloatVector.fromMemorySegment(F, x, (row + c + L) * 4, ORDER, mb));
                    }
                    acc = a.fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wr + q)), acc);
                }
            }
            // Store only the masked ranges: the interior keeps the unmasked path's values.
            FloatVector out = IOTA.add(start);
            VectorMask<Float> keep = out.compare(LT, jLo).or(out.compare(GE, vecEnd)).and(out.compare(LT, ow));
            acc.max(vlo).min(vhi).intoMemorySegment(y, (yRow + start) * 4, ORDER, keep);
            j0 = start + L;
        }
    }

    /** Whether every masked load of the block at {@code start} and its store lie inside the segments. */
    private static boolean blockFits(MemorySegment x, long xp, MemorySegment y, long yRow, int h, int wd,
                                     Conv2dSpec s, int y0, int start) {
        int first = -1, last = -1;
        for (int p = 0; p < s.kernelH(); p++) {
            int yy = y0 + p * s.dilationH();
            if (yy < 0 || yy >= h) continue;
            if (first < 0) first = yy;
            last = yy;
        }
        if (first < 0) return fits(y, (yRow + start) * 4);
        long c = (long) start * s.strideW() - s.padLeft(); // lowest column loaded
        long cLast = c + (long) (s.kernelW() - 1) * s.dilationW() + (s.strideW() == 2 ? L : 0);
        return fits(x, (xp + (long) first * wd + c) * 4) && fits(x, (xp + (long) last * wd + cLast) * 4)
                && fits(y, (yRow + start) * 4);
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
