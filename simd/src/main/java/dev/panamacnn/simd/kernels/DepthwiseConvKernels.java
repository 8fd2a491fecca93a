package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.L;
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
        boolean k3 = spec.kernelH() == 3 && spec.kernelW() == 3
                && spec.dilationH() == 1 && spec.dilationW() == 1;
        for (int p = fromPlane; p < toPlane; p++) {
            int c = p % channels;
            long xp = xOff + (long) p * height * width, yp = yOff + p * outPlane;
            long wc = wOff + (long) c * taps;
            float b = bias == null ? 0f : bias.getAtIndex(JAVA_FLOAT, biasOff + c);
            if (k3 && spec.strideW() == 1) {
                plane3x3s1(x, xp, w, wc, b, y, yp, height, width, spec, lo, hi);
            } else if (k3 && spec.strideW() == 2) {
                plane3x3s2(x, xp, w, wc, b, y, yp, height, width, spec, lo, hi);
            } else {
                int ow = spec.outW(width);
                for (int i = 0, oh = spec.outH(height); i < oh; i++) {
                    row(x, xp, w, wc, b, y, yp + (long) i * ow, height, width, spec, i, lo, hi);
                }
            }
        }
    }

    // ------------------------------------------------------------------ 3×3, weights in registers

    private static void plane3x3s1(MemorySegment x, long xp, MemorySegment w, long wc, float b,
                                   MemorySegment y, long yp, int h, int wd, Conv2dSpec s,
                                   float lo, float hi) {
        int oh = s.outH(h), ow = s.outW(wd), pl = s.padLeft();
        int jLo = Math.min(ow, Windows.firstInterior(pl, 1));
        int vecEnd = Windows.vectorEnd(wd, pl, 1, Windows.blockReach(1, 3),
                Windows.endWithin(wd, pl, 1, 2, ow));
        FloatVector w00 = bcast(w, wc), w01 = bcast(w, wc + 1), w02 = bcast(w, wc + 2);
        FloatVector w10 = bcast(w, wc + 3), w11 = bcast(w, wc + 4), w12 = bcast(w, wc + 5);
        FloatVector w20 = bcast(w, wc + 6), w21 = bcast(w, wc + 7), w22 = bcast(w, wc + 8);
        FloatVector vb = FloatVector.broadcast(Vec.F, b);
        FloatVector vlo = FloatVector.broadcast(Vec.F, lo), vhi = FloatVector.broadcast(Vec.F, hi);
        for (int i = 0; i < oh; i++) {
            int y0 = i * s.strideH() - s.padTop();
            long yRow = yp + (long) i * ow;
            if (vecEnd - jLo < L || y0 < 0 || y0 + 2 >= h) { // padded rows: general path
                row(x, xp, w, wc, b, y, yRow, h, wd, s, i, lo, hi);
                continue;
            }
            for (int j = 0; j < jLo; j++) y.setAtIndex(JAVA_FLOAT, yRow + j, output(x, xp, w, wc, b, h, wd, s, i, j, lo, hi));
            long r0 = xp + (long) y0 * wd - pl;
            for (int j0 = jLo; ; j0 = Math.min(j0 + L, vecEnd - L)) {
                long a = r0 + j0, a1 = a + wd, a2 = a1 + wd;
                FloatVector acc = Vec.load(x, a).fma(w00, vb);
                acc = Vec.load(x, a + 1).fma(w01, acc);
                acc = Vec.load(x, a + 2).fma(w02, acc);
                acc = Vec.load(x, a1).fma(w10, acc);
                acc = Vec.load(x, a1 + 1).fma(w11, acc);
                acc = Vec.load(x, a1 + 2).fma(w12, acc);
                acc = Vec.load(x, a2).fma(w20, acc);
                acc = Vec.load(x, a2 + 1).fma(w21, acc);
                acc = Vec.load(x, a2 + 2).fma(w22, acc);
                Vec.store(acc.max(vlo).min(vhi), y, yRow + j0);
                if (j0 + L >= vecEnd) break;
            }
            for (int j = vecEnd; j < ow; j++) y.setAtIndex(JAVA_FLOAT, yRow + j, output(x, xp, w, wc, b, h, wd, s, i, j, lo, hi));
        }
    }

    private static void plane3x3s2(MemorySegment x, long xp, MemorySegment w, long wc, float b,
                                   MemorySegment y, long yp, int h, int wd, Conv2dSpec s,
                                   float lo, float hi) {
        int oh = s.outH(h), ow = s.outW(wd), pl = s.padLeft();
        int jLo = Math.min(ow, Windows.firstInterior(pl, 2));
        int vecEnd = Windows.vectorEnd(wd, pl, 2, Windows.blockReach(2, 3),
                Windows.endWithin(wd, pl, 2, 2, ow));
        FloatVector w00 = bcast(w, wc), w01 = bcast(w, wc + 1), w02 = bcast(w, wc + 2);
        FloatVector w10 = bcast(w, wc + 3), w11 = bcast(w, wc + 4), w12 = bcast(w, wc + 5);
        FloatVector w20 = bcast(w, wc + 6), w21 = bcast(w, wc + 7), w22 = bcast(w, wc + 8);
        FloatVector vb = FloatVector.broadcast(Vec.F, b);
        FloatVector vlo = FloatVector.broadcast(Vec.F, lo), vhi = FloatVector.broadcast(Vec.F, hi);
        for (int i = 0; i < oh; i++) {
            int y0 = i * s.strideH() - s.padTop();
            long yRow = yp + (long) i * ow;
            if (vecEnd - jLo < L || y0 < 0 || y0 + 2 >= h) {
                row(x, xp, w, wc, b, y, yRow, h, wd, s, i, lo, hi);
                continue;
            }
            for (int j = 0; j < jLo; j++) y.setAtIndex(JAVA_FLOAT, yRow + j, output(x, xp, w, wc, b, h, wd, s, i, j, lo, hi));
            long r0 = xp + (long) y0 * wd - pl;
            for (int j0 = jLo; ; j0 = Math.min(j0 + L, vecEnd - L)) {
                // Per input row: a‖b gives taps 0 (even columns) and 1 (odd); c‖d, two columns
                // further, gives tap 2. Written out so the weights stay in registers.
                long a = r0 + 2L * j0;
                FloatVector va = Vec.load(x, a), vb2 = Vec.load(x, a + L);
                FloatVector vc = Vec.load(x, a + 2), vd = Vec.load(x, a + 2 + L);
                FloatVector acc = Vec.evens(va, vb2).fma(w00, vb);
                acc = Vec.odds(va, vb2).fma(w01, acc);
                acc = Vec.evens(vc, vd).fma(w02, acc);
                a += wd;
                va = Vec.load(x, a); vb2 = Vec.load(x, a + L);
                vc = Vec.load(x, a + 2); vd = Vec.load(x, a + 2 + L);
                acc = Vec.evens(va, vb2).fma(w10, acc);
                acc = Vec.odds(va, vb2).fma(w11, acc);
                acc = Vec.evens(vc, vd).fma(w12, acc);
                a += wd;
                va = Vec.load(x, a); vb2 = Vec.load(x, a + L);
                vc = Vec.load(x, a + 2); vd = Vec.load(x, a + 2 + L);
                acc = Vec.evens(va, vb2).fma(w20, acc);
                acc = Vec.odds(va, vb2).fma(w21, acc);
                acc = Vec.evens(vc, vd).fma(w22, acc);
                Vec.store(acc.max(vlo).min(vhi), y, yRow + j0);
                if (j0 + L >= vecEnd) break;
            }
            for (int j = vecEnd; j < ow; j++) y.setAtIndex(JAVA_FLOAT, yRow + j, output(x, xp, w, wc, b, h, wd, s, i, j, lo, hi));
        }
    }

    private static FloatVector bcast(MemorySegment w, long at) {
        return FloatVector.broadcast(Vec.F, w.getAtIndex(JAVA_FLOAT, at));
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
            for (; j < jLo; j++) y.setAtIndex(JAVA_FLOAT, yRow + j, output(x, xp, w, wc, b, h, wd, s, i, j, lo, hi));
            for (int j0 = jLo; ; j0 = Math.min(j0 + L, vecEnd - L)) {
                block(x, xp, w, wc, b, h, wd, s, i, j0, lo, hi, y, yRow);
                if (j0 + L >= vecEnd) break;
            }
            j = vecEnd;
        }
        for (; j < ow; j++) y.setAtIndex(JAVA_FLOAT, yRow + j, output(x, xp, w, wc, b, h, wd, s, i, j, lo, hi));
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
        FloatVector acc = FloatVector.broadcast(Vec.F, b);
        for (int p = 0; p < kh; p++) {
            int yy = y0 + p * dh;
            if (yy < 0 || yy >= h) continue;
            long row = xp + (long) yy * wd + (long) j0 * s.strideW() - s.padLeft();
            long wr = wc + (long) p * kw;
            if (s.strideW() == 1) {
                for (int q = 0; q < kw; q++) acc = Vec.load(x, row + (long) q * dw).fma(bcast(w, wr + q), acc);
            } else if (dw == 1) {
                for (int q = 0; q < kw; q += 2) {
                    FloatVector a = Vec.load(x, row + q), c = Vec.load(x, row + q + L);
                    acc = Vec.evens(a, c).fma(bcast(w, wr + q), acc);
                    if (q + 1 < kw) acc = Vec.odds(a, c).fma(bcast(w, wr + q + 1), acc);
                }
            } else {
                for (int q = 0; q < kw; q++) {
                    long at = row + (long) q * dw;
                    acc = Vec.evens(Vec.load(x, at), Vec.load(x, at + L)).fma(bcast(w, wr + q), acc);
                }
            }
        }
        Vec.store(acc.max(lo).min(hi), y, yRow + j0);
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
