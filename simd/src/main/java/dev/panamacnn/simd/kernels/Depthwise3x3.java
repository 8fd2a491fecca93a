package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.EVEN;
import static dev.panamacnn.simd.kernels.Vec.F;
import static dev.panamacnn.simd.kernels.Vec.IOTA;
import static dev.panamacnn.simd.kernels.Vec.L;
import static dev.panamacnn.simd.kernels.Vec.ODD;
import static dev.panamacnn.simd.kernels.Vec.ORDER;
import static dev.panamacnn.simd.kernels.Vec.fits;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static jdk.incubator.vector.VectorOperators.LT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * MobileNet's depthwise case, one plane at a time: 3×3 kernel, dilation 1, left padding 1,
 * right padding 0 or 1, horizontal stride 1 or 2 (any vertical stride and padding). Used by
 * {@link DepthwiseConvKernels}, which validates the arguments and picks this path.
 *
 * <p>Conventions: element offsets {@code xp} (plane start), {@code wc} (the channel's nine
 * weights), {@code yp} / {@code yRow}; {@code y0} is the input row under kernel row 0; rows
 * outside {@code [0, h)} contribute nothing (zero padding). Three parts:
 * <ul>
 *   <li>interior: rows whose three input rows exist, columns whose taps are inside the row —
 *       nine weights in registers, one accumulator per kernel row (three independent FMA
 *       chains instead of one of nine), plain loads only;</li>
 *   <li>edges: the first block of each row (column −1 is padding) and, for stride 1 with right
 *       padding, the last; the padded column comes from a plain load one column inwards
 *       shifted by one lane ({@code unslice(1)} / {@code slice(1)} fill with zero). Masked loads
 *       measured ~3× slower than plain ones here, and shifts by a non-constant count ~6×;</li>
 *   <li>narrow planes (a row fits in one vector, or two for stride 2: MobileNet's 14×14 and
 *       7×7): one block per output row from masked whole-row loads and the same shifts.</li>
 * </ul>
 * Every method takes and returns scalars only, so no vector crosses a call (see {@link Vec}).
 */
final class Depthwise3x3 {
    private Depthwise3x3() {}

    /** Whether this class handles the geometry (the caller also checks the row width). */
    static boolean applies(int kh, int kw, int dh, int dw, int padLeft, int padRight, int sw) {
        return kh == 3 && kw == 3 && dh == 1 && dw == 1 && padLeft == 1 && padRight <= 1
                && (sw == 1 || sw == 2);
    }

    /** A row of {@code wd} columns fits the narrow path: one vector (stride 1), two (stride 2). */
    static boolean narrow(int wd, int sw, int padRight) {
        return sw == 1 ? wd <= L && padRight == 1 : wd <= 2 * L;
    }

    // ------------------------------------------------------------------ interior

    /*
     * The interior loops run over the three kernel rows rather than writing all nine taps out:
     * a method with ~36 vector operations (stride 2 written out) made C1 give up ("out of
     * virtual registers"), which leaves it in tier-2 code running the Vector API's Java
     * fallback (measured: 69 MB allocated and 12 ms per MobileNet layer). C2 unrolls the
     * constant three-iteration loop; each kernel row keeps its own accumulator chain, and the
     * weights are broadcast from L1 at each use.
     */

    /** Columns {@code [jLo, jEnd)} (all taps inside the row) of every output row, stride 1. */
    static void interiorS1(MemorySegment x, long xp, MemorySegment w, long wc, float b, MemorySegment y,
                           long yp, int h, int wd, int oh, int ow, int sh, int pt, float lo, float hi,
                           int jLo, int jEnd) {
        FloatVector vlo = FloatVector.broadcast(F, lo), vhi = FloatVector.broadcast(F, hi);
        long rowBytes = 4L * wd;
        for (int i = 0; i < oh; i++) {
            int y0 = i * sh - pt;
            long yRow = (yp + (long) i * ow) * 4;
            long r0 = (xp + (long) y0 * wd - 1) * 4; // column −1 of the top input row, bytes
            for (int j0 = jLo; ; j0 = Math.min(j0 + L, jEnd - L)) {
                FloatVector acc = FloatVector.broadcast(F, b);
                for (int k = 0; k < 3; k++) {
                    if (y0 + k < 0 || y0 + k >= h) continue; // padding row
                    long a = r0 + 4L * j0 + k * rowBytes, wk = wc + 3 * k;
                    FloatVector row = FloatVector.fromMemorySegment(F, x, a, ORDER)
                            .mul(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wk)));
                    row = FloatVector.fromMemorySegment(F, x, a + 4, ORDER)
                            .fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wk + 1)), row);
                    row = FloatVector.fromMemorySegment(F, x, a + 8, ORDER)
                            .fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wk + 2)), row);
                    acc = acc.add(row);
                }
                acc.max(vlo).min(vhi).intoMemorySegment(y, yRow + 4L * j0, ORDER);
                if (j0 + L >= jEnd) break;
            }
        }
    }

    /**
     * As {@link #interiorS1}, stride 2. Per input row two pairs: P0 = a‖b from column 2j−1
     * (its even columns are tap 0) and P1 from column 2j (even: tap 1, odd: tap 2). Nothing is
     * read past column 2j + 2L − 1, the last one the block needs.
     */
    static void interiorS2(MemorySegment x, long xp, MemorySegment w, long wc, float b, MemorySegment y,
                           long yp, int h, int wd, int oh, int ow, int sh, int pt, float lo, float hi,
                           int jLo, int jEnd) {
        FloatVector vlo = FloatVector.broadcast(F, lo), vhi = FloatVector.broadcast(F, hi);
        long rowBytes = 4L * wd, half = 4L * L;
        for (int i = 0; i < oh; i++) {
            int y0 = i * sh - pt;
            long yRow = (yp + (long) i * ow) * 4;
            long r0 = (xp + (long) y0 * wd - 1) * 4;
            for (int j0 = jLo; ; j0 = Math.min(j0 + L, jEnd - L)) {
                FloatVector acc = FloatVector.broadcast(F, b);
                for (int k = 0; k < 3; k++) {
                    if (y0 + k < 0 || y0 + k >= h) continue; // padding row
                    long a = r0 + 8L * j0 + k * rowBytes, wk = wc + 3 * k;
                    FloatVector p0 = EVEN.selectFrom(FloatVector.fromMemorySegment(F, x, a, ORDER),
                            FloatVector.fromMemorySegment(F, x, a + half, ORDER));
                    FloatVector pa = FloatVector.fromMemorySegment(F, x, a + 4, ORDER);
                    FloatVector pb = FloatVector.fromMemorySegment(F, x, a + 4 + half, ORDER);
                    FloatVector row = p0.mul(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wk)));
                    row = EVEN.selectFrom(pa, pb).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wk + 1)), row);
                    row = ODD.selectFrom(pa, pb).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wk + 2)), row);
                    acc = acc.add(row);
                }
                acc.max(vlo).min(vhi).intoMemorySegment(y, yRow + 4L * j0, ORDER);
                if (j0 + L >= jEnd) break;
            }
        }
    }

    // ------------------------------------------------------------------ edges

    /** Outputs {@code [0, L)} of every row, stride 1 (needs {@code wd ≥ L + 1}); one call per plane. */
    static void leftS1(MemorySegment x, long xp, MemorySegment w, long wc, float b, MemorySegment y,
                       long yp, int h, int wd, int oh, int ow, int sh, int pt,
                       float lo, float hi) {
        for (int i = 0; i < oh; i++) {
            int y0 = i * sh - pt;
            long yRow = yp + (long) i * ow;
            FloatVector acc = FloatVector.broadcast(F, b);
            for (int p = 0; p < 3; p++) {
                int yy = y0 + p;
                if (yy < 0 || yy >= h) continue;
                long row = (xp + (long) yy * wd) * 4;
                FloatVector v = FloatVector.fromMemorySegment(F, x, row, ORDER); // columns 0 … L−1
                acc = v.unslice(1).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p)), acc);
                acc = v.fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p + 1)), acc);
                acc = FloatVector.fromMemorySegment(F, x, row + 4, ORDER)
                        .fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p + 2)), acc);
            }
            acc.max(lo).min(hi).intoMemorySegment(y, yRow * 4, ORDER);
        }
    }

    /** Outputs {@code [wd − L, wd)} of every row, stride 1, right padding 1 (needs {@code wd ≥ L + 1}). */
    static void rightS1(MemorySegment x, long xp, MemorySegment w, long wc, float b, MemorySegment y,
                        long yp, int h, int wd, int oh, int ow, int sh, int pt,
                       float lo, float hi) {
        for (int i = 0; i < oh; i++) {
            int y0 = i * sh - pt;
            long yRow = yp + (long) i * ow;
            FloatVector acc = FloatVector.broadcast(F, b);
            for (int p = 0; p < 3; p++) {
                int yy = y0 + p;
                if (yy < 0 || yy >= h) continue;
                long row = (xp + (long) yy * wd + wd - L) * 4; // column wd − L
                FloatVector v = FloatVector.fromMemorySegment(F, x, row, ORDER);
                acc = FloatVector.fromMemorySegment(F, x, row - 4, ORDER)
                        .fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p)), acc);
                acc = v.fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p + 1)), acc);
                acc = v.slice(1).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p + 2)), acc);
            }
            acc.max(lo).min(hi).intoMemorySegment(y, (yRow + wd - L) * 4, ORDER);
        }
    }

    /** Outputs {@code [0, L)} of every row, stride 2 (needs {@code wd ≥ 2L}). */
    static void leftS2(MemorySegment x, long xp, MemorySegment w, long wc, float b, MemorySegment y,
                       long yp, int h, int wd, int oh, int ow, int sh, int pt,
                       float lo, float hi) {
        for (int i = 0; i < oh; i++) {
            int y0 = i * sh - pt;
            long yRow = yp + (long) i * ow;
            FloatVector acc = FloatVector.broadcast(F, b);
            for (int p = 0; p < 3; p++) {
                int yy = y0 + p;
                if (yy < 0 || yy >= h) continue;
                long row = (xp + (long) yy * wd) * 4;
                FloatVector a = FloatVector.fromMemorySegment(F, x, row, ORDER);
                FloatVector c = FloatVector.fromMemorySegment(F, x, row + 4L * L, ORDER);
                FloatVector odd = ODD.selectFrom(a, c); // columns 1, 3, …; shifted: −1 (zero), 1, 3, …
                acc = odd.unslice(1).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p)), acc);
                acc = EVEN.selectFrom(a, c).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p + 1)), acc);
                acc = odd.fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p + 2)), acc);
            }
            acc.max(lo).min(hi).intoMemorySegment(y, yRow * 4, ORDER);
        }
    }

    // ------------------------------------------------------------------ narrow planes

    /**
     * All of one output row when an input row fits one vector (stride 1, padding 1 both sides,
     * so {@code ow = wd}): masked whole-row loads, lanes past the row read as 0.
     */
    static void narrowRowS1(MemorySegment x, long xp, MemorySegment w, long wc, float b, MemorySegment y,
                            long yRow, int h, int wd, int y0, float lo, float hi) {
        if (!narrowFits(x, xp, y, yRow, h, wd, y0)) {
            scalarRow(x, xp, w, wc, b, y, yRow, h, wd, wd, 1, y0, lo, hi);
            return;
        }
        VectorMask<Float> inRow = IOTA.compare(LT, wd);
        FloatVector acc = FloatVector.broadcast(F, b);
        for (int p = 0; p < 3; p++) {
            int yy = y0 + p;
            if (yy < 0 || yy >= h) continue;
            FloatVector v = FloatVector.fromMemorySegment(F, x, (xp + (long) yy * wd) * 4, ORDER, inRow);
            acc = v.unslice(1).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p)), acc);
            acc = v.fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p + 1)), acc);
            acc = v.slice(1).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p + 2)), acc);
        }
        acc.max(lo).min(hi).intoMemorySegment(y, yRow * 4, ORDER, inRow);
    }

    /** All of one output row of {@code ow} when an input row fits two vectors (stride 2). */
    static void narrowRowS2(MemorySegment x, long xp, MemorySegment w, long wc, float b, MemorySegment y,
                            long yRow, int h, int wd, int ow, int y0, float lo, float hi) {
        if (!narrowFits(x, xp, y, yRow, h, wd, y0)) {
            scalarRow(x, xp, w, wc, b, y, yRow, h, wd, ow, 2, y0, lo, hi);
            return;
        }
        VectorMask<Float> first = IOTA.compare(LT, wd), second = IOTA.compare(LT, wd - L);
        FloatVector acc = FloatVector.broadcast(F, b);
        for (int p = 0; p < 3; p++) {
            int yy = y0 + p;
            if (yy < 0 || yy >= h) continue;
            long row = (xp + (long) yy * wd) * 4;
            FloatVector a = FloatVector.fromMemorySegment(F, x, row, ORDER, first);
            FloatVector c = FloatVector.fromMemorySegment(F, x, row + 4L * L, ORDER, second);
            FloatVector odd = ODD.selectFrom(a, c);
            acc = odd.unslice(1).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p)), acc);
            acc = EVEN.selectFrom(a, c).fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p + 1)), acc);
            acc = odd.fma(FloatVector.broadcast(F, w.getAtIndex(JAVA_FLOAT, wc + 3 * p + 2)), acc);
        }
        acc.max(lo).min(hi).intoMemorySegment(y, yRow * 4, ORDER, IOTA.compare(LT, ow));
    }

    /**
     * Whether the whole-row vectors (two per row for stride 2, from the row start) of this
     * output row and its store lie inside the segments; false only near a segment's end.
     */
    private static boolean narrowFits(MemorySegment x, long xp, MemorySegment y, long yRow, int h,
                                      int wd, int y0) {
        int last = Math.min(y0 + 2, h - 1); // the lowest input row read
        return fits(x, (xp + (long) last * wd + L) * 4) && fits(y, yRow * 4);
    }

    /** One output row with scalar arithmetic (3×3, padding 1 on the left), where vectors do not fit. */
    private static void scalarRow(MemorySegment x, long xp, MemorySegment w, long wc, float b,
                                  MemorySegment y, long yRow, int h, int wd, int ow, int sw, int y0,
                                  float lo, float hi) {
        for (int j = 0; j < ow; j++) {
            float acc = b;
            for (int p = 0; p < 3; p++) {
                int yy = y0 + p;
                if (yy < 0 || yy >= h) continue;
                for (int q = 0; q < 3; q++) {
                    int z = j * sw - 1 + q;
                    if (z < 0 || z >= wd) continue;
                    acc = Math.fma(x.getAtIndex(JAVA_FLOAT, xp + (long) yy * wd + z),
                            w.getAtIndex(JAVA_FLOAT, wc + 3 * p + q), acc);
                }
            }
            y.setAtIndex(JAVA_FLOAT, yRow + j, Math.min(Math.max(acc, lo), hi));
        }
    }
}
