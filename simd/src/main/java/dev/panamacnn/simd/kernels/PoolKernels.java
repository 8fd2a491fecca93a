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

import dev.panamacnn.core.ops.Pool2dSpec;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Max / average pooling over NCHW planes, with the semantics of
 * {@link dev.panamacnn.core.reference.PoolRef} and {@link Pool2dSpec} (any kernel, stride,
 * asymmetric padding, ceil mode, {@code countIncludePad}; padding never wins a max; NaN
 * propagates).
 *
 * <p><b>Conventions.</b> Offsets are in <em>elements</em> (floats), not bytes. Input plane
 * {@code p} is the {@code height×width} floats at {@code xOff + p·height·width}; output plane p
 * is the {@code outH×outW} floats at {@code yOff + p·outH·outW} (a plane is one (n, c) pair,
 * p = n·C + c). Each call computes planes {@code [fromPlane, toPlane)} only, so callers split
 * the planes across threads; the output must not overlap the input. Nothing is allocated.
 *
 * <p><b>Vectorisation.</b> For strides 1 and 2, each output row is computed {@link Vec#L}
 * columns at a time over its interior columns (windows fully inside the row); the last block
 * overlaps the previous one instead of masking. Stride 1 loads each tap directly; stride 2
 * loads two vectors a‖b per pair of taps, reduces them over the window's rows first and then
 * splits them into even (tap q) and odd (tap q+1) columns. ResNet's stem (3×3, stride 2,
 * padding 1) has its own row code, first block included ({@link MaxPool3x3s2}). Other border
 * columns, strides ≥ 3 and rows narrower than a vector use the scalar reference loop (for
 * average pooling too: its divisor changes per border column). Global pooling: two vector
 * accumulators and a masked tail per plane. Average pooling sums in float (the reference sums
 * in double): results agree within {@code Tolerance.forReduction(kH·kW, |x|)}.
 */
public final class PoolKernels {
    private PoolKernels() {}

    /** Max pooling of planes {@code [fromPlane, toPlane)}; see the class comment for the layout. */
    public static void maxPool2d(MemorySegment x, long xOff, MemorySegment y, long yOff,
                                 int height, int width, Pool2dSpec spec, int fromPlane, int toPlane) {
        long outPlane = check("maxPool2d", x, xOff, y, yOff, height, width, spec, fromPlane, toPlane);
        for (int p = fromPlane; p < toPlane; p++) {
            maxPlane(x, xOff + (long) p * height * width, y, yOff + p * outPlane, height, width, spec);
        }
    }

    /** Average pooling of planes {@code [fromPlane, toPlane)}; see the class comment for the layout. */
    public static void avgPool2d(MemorySegment x, long xOff, MemorySegment y, long yOff,
                                 int height, int width, Pool2dSpec spec, int fromPlane, int toPlane) {
        long outPlane = check("avgPool2d", x, xOff, y, yOff, height, width, spec, fromPlane, toPlane);
        for (int p = fromPlane; p < toPlane; p++) {
            avgPlane(x, xOff + (long) p * height * width, y, yOff + p * outPlane, height, width, spec);
        }
    }

    /**
     * Global average pooling: {@code y[yOff + p] = mean of the planeSize floats at
     * xOff + p·planeSize}, for planes {@code [fromPlane, toPlane)}.
     */
    public static void globalAvgPool(MemorySegment x, long xOff, MemorySegment y, long yOff,
                                     int planeSize, int fromPlane, int toPlane) {
        checkGlobal("globalAvgPool", x, xOff, y, yOff, planeSize, fromPlane, toPlane);
        int bound = F.loopBound(planeSize);
        for (int p = fromPlane; p < toPlane; p++) {
            long base = (xOff + (long) p * planeSize) * 4; // bytes
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            int k = 0;
            for (; k + 2 * L <= bound; k += 2 * L) {
                acc0 = acc0.add(FloatVector.fromMemorySegment(F, x, base + k * 4L, ORDER));
                acc1 = acc1.add(FloatVector.fromMemorySegment(F, x, base + (k + L) * 4L, ORDER));
            }
            for (; k < bound; k += L) acc0 = acc0.add(FloatVector.fromMemorySegment(F, x, base + k * 4L, ORDER));
            if (k < planeSize && fits(x, base + k * 4L)) {
                VectorMask<Float> m = IOTA.compare(LT, planeSize - k);
                acc1 = acc1.add(FloatVector.fromMemorySegment(F, x, base + k * 4L, ORDER, m));
                k = planeSize;
            }
            FloatVector t = acc0.add(acc1);
            for (VectorShuffle<Float> s : Vec.FOLDS) t = t.add(t.rearrange(s)); // same order in every JIT tier
            double sum = t.lane(0);
            if (k < planeSize) sum += Tails.sum(x, base, k, planeSize);
            y.setAtIndex(JAVA_FLOAT, yOff + p, (float) (sum / planeSize));
        }
    }

    /** Global max pooling, laid out as {@link #globalAvgPool}; NaN propagates. */
    public static void globalMaxPool(MemorySegment x, long xOff, MemorySegment y, long yOff,
                                     int planeSize, int fromPlane, int toPlane) {
        checkGlobal("globalMaxPool", x, xOff, y, yOff, planeSize, fromPlane, toPlane);
        int bound = F.loopBound(planeSize);
        for (int p = fromPlane; p < toPlane; p++) {
            long base = (xOff + (long) p * planeSize) * 4; // bytes
            // A local broadcast, not a static final vector (see Vec).
            FloatVector acc0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY), acc1 = acc0;
            int k = 0;
            for (; k + 2 * L <= bound; k += 2 * L) {
                acc0 = acc0.max(FloatVector.fromMemorySegment(F, x, base + k * 4L, ORDER));
                acc1 = acc1.max(FloatVector.fromMemorySegment(F, x, base + (k + L) * 4L, ORDER));
            }
            for (; k < bound; k += L) acc0 = acc0.max(FloatVector.fromMemorySegment(F, x, base + k * 4L, ORDER));
            if (k < planeSize && fits(x, base + k * 4L)) {
                VectorMask<Float> m = IOTA.compare(LT, planeSize - k);
                FloatVector v = FloatVector.fromMemorySegment(F, x, base + k * 4L, ORDER, m);
                acc1 = acc1.lanewise(VectorOperators.MAX, v, m);
                k = planeSize;
            }
            float max = acc0.max(acc1).reduceLanes(VectorOperators.MAX);
            if (k < planeSize) max = Tails.max(x, base, k, planeSize, max);
            y.setAtIndex(JAVA_FLOAT, yOff + p, max);
        }
    }

    // ------------------------------------------------------------------ max pooling

    private static void maxPlane(MemorySegment x, long xp, MemorySegment y, long yp,
                                 int h, int w, Pool2dSpec s) {
        int oh = s.outH(h), ow = s.outW(w);
        int kw = s.kernelW(), sw = s.strideW(), pl = s.padLeft();
        int jLo = Math.min(ow, Windows.firstInterior(pl, sw));
        int jHi = Windows.endWithin(w, pl, sw, kw - 1, ow);
        int vecEnd = sw <= 2 ? Windows.vectorEnd(w, pl, sw, Windows.blockReach(sw, kw), jHi) : 0;
        boolean vector = vecEnd - jLo >= L;
        // ResNet's stem (3×3, stride 2, left padding 1): rows whose three input rows exist go
        // to MaxPool3x3s2 for columns [0, jEnd), the rest below.
        int jEnd = Math.min(ow, Math.min(w / 2, (w - 2 * L) / 2 + L));
        boolean stem = s.kernelH() == 3 && kw == 3 && sw == 2 && pl == 1 && w >= 2 * L && jEnd >= L;
        for (int i = 0; i < oh; i++) {
            int y0 = i * s.strideH() - s.padTop();
            int ya = Math.max(y0, 0);
            int yb = Math.min(Math.min(y0 + s.kernelH(), h + s.padBottom()), h);
            long yRow = yp + (long) i * ow;
            int j = 0;
            if (stem && yb - ya == 3) {
                MaxPool3x3s2.row(x, xp + (long) ya * w, w, y, yRow, jEnd);
                j = jEnd;
            } else if (vector) {
                for (; j < jLo; j++) {
                    y.setAtIndex(JAVA_FLOAT, yRow + j, maxWindow(x, xp, w, ya, yb, j, s));
                }
                // Blocks of L columns; the last one overlaps its neighbour instead of masking.
                for (int j0 = jLo; ; j0 = Math.min(j0 + L, vecEnd - L)) {
                    maxBlock(x, xp, w, ya, yb, j0, s, y, yRow);
                    if (j0 + L >= vecEnd) break;
                }
                j = vecEnd;
            }
            for (; j < ow; j++) {
                y.setAtIndex(JAVA_FLOAT, yRow + j, maxWindow(x, xp, w, ya, yb, j, s));
            }
        }
    }

    /** Outputs {@code [j0, j0 + L)} of one row; rows {@code [ya, yb)} of the plane at xp. */
    private static void maxBlock(MemorySegment x, long xp, int w, int ya, int yb, int j0,
                                 Pool2dSpec s, MemorySegment y, long yRow) {
        int kw = s.kernelW();
        long start = xp + (long) ya * w + (long) j0 * s.strideW() - s.padLeft();
        int rows = yb - ya;
        FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        if (s.strideW() == 1) {
            for (int r = 0; r < rows; r++) {
                long row = start + (long) r * w;
                for (int q = 0; q < kw; q++) {
                    acc = acc.max(FloatVector.fromMemorySegment(F, x, (row + q) * 4, ORDER));
                }
            }
        } else {
            // Taps q and q+1 come from the same pair a‖b: reduce the pair over the rows first.
            for (int q = 0; q < kw; q += 2) {
                FloatVector a = FloatVector.fromMemorySegment(F, x, (start + q) * 4, ORDER);
                FloatVector b = FloatVector.fromMemorySegment(F, x, (start + q + L) * 4, ORDER);
                for (int r = 1; r < rows; r++) {
                    long at = start + (long) r * w + q;
                    a = a.max(FloatVector.fromMemorySegment(F, x, at * 4, ORDER));
                    b = b.max(FloatVector.fromMemorySegment(F, x, (at + L) * 4, ORDER));
                }
                acc = acc.max(EVEN.selectFrom(a, b));
                if (q + 1 < kw) acc = acc.max(ODD.selectFrom(a, b));
            }
        }
        acc.intoMemorySegment(y, (yRow + j0) * 4, ORDER);
    }

    /** The reference's scalar window, in the reference's order (so ±0 and NaN match it). */
    private static float maxWindow(MemorySegment x, long xp, int w, int ya, int yb, int j, Pool2dSpec s) {
        int z0 = j * s.strideW() - s.padLeft();
        int za = Math.max(z0, 0), zb = Math.min(Math.min(z0 + s.kernelW(), w + s.padRight()), w);
        float m = Float.NEGATIVE_INFINITY;
        for (int r = ya; r < yb; r++) {
            for (int z = za; z < zb; z++) {
                float v = x.getAtIndex(JAVA_FLOAT, xp + (long) r * w + z);
                if (v > m || Float.isNaN(v)) m = v;
            }
        }
        return m;
    }

    // ------------------------------------------------------------------ average pooling

    private static void avgPlane(MemorySegment x, long xp, MemorySegment y, long yp,
                                 int h, int w, Pool2dSpec s) {
        int oh = s.outH(h), ow = s.outW(w);
        int kw = s.kernelW(), sw = s.strideW(), pl = s.padLeft();
        int jLo = Math.min(ow, Windows.firstInterior(pl, sw));
        int jHi = Windows.endWithin(w, pl, sw, kw - 1, ow);
        int vecEnd = sw <= 2 ? Windows.vectorEnd(w, pl, sw, Windows.blockReach(sw, kw), jHi) : 0;
        boolean vector = vecEnd - jLo >= L;
        for (int i = 0; i < oh; i++) {
            int y0 = i * s.strideH() - s.padTop();
            int y1 = Math.min(y0 + s.kernelH(), h + s.padBottom());
            int ya = Math.max(y0, 0), yb = Math.min(y1, h);
            long yRow = yp + (long) i * ow;
            int j = 0;
            if (vector) {
                // Interior columns: the window's width is kW either way; only rows can be clipped.
                float divisor = (s.countIncludePad() ? y1 - y0 : yb - ya) * kw;
                for (; j < jLo; j++) {
                    y.setAtIndex(JAVA_FLOAT, yRow + j, avgWindow(x, xp, w, y0, y1, ya, yb, j, s));
                }
                // Blocks of L columns; the last one overlaps its neighbour instead of masking.
                for (int j0 = jLo; ; j0 = Math.min(j0 + L, vecEnd - L)) {
                    avgBlock(x, xp, w, ya, yb, j0, s, divisor, y, yRow);
                    if (j0 + L >= vecEnd) break;
                }
                j = vecEnd;
            }
            for (; j < ow; j++) {
                y.setAtIndex(JAVA_FLOAT, yRow + j, avgWindow(x, xp, w, y0, y1, ya, yb, j, s));
            }
        }
    }

    private static void avgBlock(MemorySegment x, long xp, int w, int ya, int yb, int j0,
                                 Pool2dSpec s, float divisor, MemorySegment y, long yRow) {
        int kw = s.kernelW();
        long start = xp + (long) ya * w + (long) j0 * s.strideW() - s.padLeft();
        int rows = yb - ya;
        FloatVector acc = FloatVector.zero(F);
        if (s.strideW() == 1) {
            for (int r = 0; r < rows; r++) {
                long row = start + (long) r * w;
                for (int q = 0; q < kw; q++) {
                    acc = acc.add(FloatVector.fromMemorySegment(F, x, (row + q) * 4, ORDER));
                }
            }
        } else {
            for (int q = 0; q < kw; q += 2) {
                FloatVector a = FloatVector.fromMemorySegment(F, x, (start + q) * 4, ORDER);
                FloatVector b = FloatVector.fromMemorySegment(F, x, (start + q + L) * 4, ORDER);
                for (int r = 1; r < rows; r++) {
                    long at = start + (long) r * w + q;
                    a = a.add(FloatVector.fromMemorySegment(F, x, at * 4, ORDER));
                    b = b.add(FloatVector.fromMemorySegment(F, x, (at + L) * 4, ORDER));
                }
                acc = acc.add(EVEN.selectFrom(a, b));
                if (q + 1 < kw) acc = acc.add(ODD.selectFrom(a, b));
            }
        }
        acc.div(divisor).intoMemorySegment(y, (yRow + j0) * 4, ORDER);
    }

    /** The reference's scalar window: a double sum over the in-bounds part, reference divisor. */
    private static float avgWindow(MemorySegment x, long xp, int w, int y0, int y1, int ya, int yb,
                                   int j, Pool2dSpec s) {
        int z0 = j * s.strideW() - s.padLeft();
        int z1 = Math.min(z0 + s.kernelW(), w + s.padRight());
        int za = Math.max(z0, 0), zb = Math.min(z1, w);
        double sum = 0;
        for (int r = ya; r < yb; r++) {
            for (int z = za; z < zb; z++) sum += x.getAtIndex(JAVA_FLOAT, xp + (long) r * w + z);
        }
        int divisor = s.countIncludePad() ? (y1 - y0) * (z1 - z0) : (yb - ya) * (zb - za);
        return (float) (sum / divisor);
    }

    // ------------------------------------------------------------------ checks

    /** Validates the arguments; returns the output plane size outH·outW. */
    private static long check(String op, MemorySegment x, long xOff, MemorySegment y, long yOff,
                              int height, int width, Pool2dSpec spec, int fromPlane, int toPlane) {
        if (spec == null) throw new IllegalArgumentException(op + ": spec expected, got null");
        Args.positive(op, "height", height);
        Args.positive(op, "width", width);
        Args.range(op, "plane", fromPlane, toPlane);
        long outPlane = (long) spec.outH(height) * spec.outW(width); // throws if the kernel does not fit
        Args.fits(op, "input", x, xOff, (long) toPlane * height * width);
        Args.fits(op, "output", y, yOff, toPlane * outPlane);
        return outPlane;
    }

    private static void checkGlobal(String op, MemorySegment x, long xOff, MemorySegment y,
                                    long yOff, int planeSize, int fromPlane, int toPlane) {
        Args.positive(op, "plane size", planeSize);
        Args.range(op, "plane", fromPlane, toPlane);
        Args.fits(op, "input", x, xOff, (long) toPlane * planeSize);
        Args.fits(op, "output", y, yOff, toPlane);
    }
}
