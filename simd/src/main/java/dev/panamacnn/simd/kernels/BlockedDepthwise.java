package dev.panamacnn.simd.kernels;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import dev.panamacnn.core.ops.Conv2dSpec;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution on blocked tensors (NCHW16c): one vector holds 16 channels of a pixel,
 * so each output pixel is one FMA per tap with that tap's 16 weights — no lane shifts, no
 * masks, and the same code for every plane size, stride and dilation.
 *
 * <p>3×3 kernels keep their nine weight vectors in registers for a row, or for a band of rows
 * whose kernel rows all lie in the plane (the inside of a row at stride 1 or 2 goes four pixels
 * a step, see {@link DepthwiseRowTiles}); a kernel
 * row that falls in the padding gets zero weights (and reads a valid row), so only the few
 * columns whose taps leave the image take the checked per-tap path that every other kernel
 * size uses. Weights are packed as [block][kH][kW][16], bias as [block][16] (zeros past C).
 * Offsets are in bytes; clamps are blends (see {@link Vec}).
 */
public final class BlockedDepthwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final long V = 64; // bytes per vector: 16 channels of one pixel
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** {@code -Dpanama.simd.depthwiseSteps=1}: one output pixel a step everywhere, the baseline for measurements. */
    private static final boolean FOUR_PIXEL_STEPS = !"1".equals(System.getProperty("panama.simd.depthwiseSteps"));

    private BlockedDepthwise() {}

    /**
     * Output rows [{@code oyFrom}, {@code oyTo}) of one block of one image: input plane (h × w
     * pixels of 16 floats) at {@code in}, output plane (outH × outW) at {@code out}, in
     * {@code ws}; the block's weights at {@code wt}, three zero taps (48 floats) at
     * {@code zeroTaps}, bias at {@code b}.
     */
    public static void rows(MemorySegment ws, long in, long out, MemorySegment weights, long wt, long zeroTaps,
                            MemorySegment bias, long b, int h, int w, int outW, Conv2dSpec s, int oyFrom, int oyTo,
                            float lo, float hi) {
        int kh = s.kernelH(), kw = s.kernelW(), sw = s.strideW(), pl = s.padLeft();
        int span = (kw - 1) * s.dilationW();
        // Columns whose taps all lie inside the row: [xLo, xHi).
        int xLo = Math.min(outW, (pl + sw - 1) / sw);
        int xHi = Math.max(xLo, Math.min(outW, w - 1 - span + pl >= 0 ? (w - 1 - span + pl) / sw + 1 : 0));
        int checkedFrom = 0, checkedTo = outW, last = outW - 1;
        boolean left = false, right = false;
        if (kh == 3 && kw == 3) {
            // MobileNet's edges (padding 1, dilation 1): the first column, and the last when only
            // its right tap is padding, lose one kernel column and take unchecked code too.
            boolean simple = s.dilationW() == 1 && pl == 1 && w >= 2;
            int lastX = last * sw - pl;
            left = simple && xLo == 1;
            right = simple && xHi == last && last > 0 && lastX >= 0 && lastX + 2 == w;
            checkedFrom = left ? 1 : 0;
            checkedTo = right ? last : outW;
        } else {
            xLo = xHi = 0; // every column checked
        }
        boolean steps = FOUR_PIXEL_STEPS && kh == 3 && kw == 3 && s.dilationW() == 1 && (sw == 1 || sw == 2)
                && xHi - xLo >= DepthwiseRowTiles.PIXELS;
        if (xLo < xHi) {
            // Rows whose three kernel rows all lie in the plane share their weights: one band, one
            // fourPixelSteps call and one row3x3 call for all of them (alone, a 14×14 plane of 576
            // channels: 34.3 → 29.6 µs against those calls and nine weight loads per row). The
            // band stops at oyTo: the rows past it may be another thread's.
            int sh = s.strideH(), pt = s.padTop(), spanH = 2 * s.dilationH();
            int bandFrom = Math.clamp(Math.ceilDiv(pt, sh), oyFrom, oyTo);
            int bandTo = Math.clamp(Math.ceilDiv(h - spanH + pt, sh), bandFrom, oyTo);
            for (int oy = oyFrom, n; oy < oyTo; oy += n) {
                n = oy == bandFrom && bandTo > bandFrom ? bandTo - bandFrom : 1;
                long outRow = out + (long) oy * outW * V;
                int from = steps ? fourPixelSteps(ws, in, outRow, outW, weights, wt, zeroTaps, bias, b, h, w, s, oy, n, xLo, xHi, lo, hi) : xLo;
                if (from < xHi) row3x3(ws, in, outRow, outW, weights, wt, zeroTaps, bias, b, h, w, s, oy, n, from, xHi, lo, hi);
            }
        }
        for (int oy = oyFrom; oy < oyTo; oy++) {
            long outRow = out + (long) oy * outW * V;
            for (int ox = checkedFrom; ox < xLo; ox++) checked(ws, in, outRow, weights, wt, bias, b, h, w, s, oy, ox, lo, hi);
            for (int ox = xHi; ox < checkedTo; ox++) checked(ws, in, outRow, weights, wt, bias, b, h, w, s, oy, ox, lo, hi);
        }
        if (left) edgeColumn3x3(ws, in, out, weights, wt, zeroTaps, bias, b, h, w, outW, s, oyFrom, oyTo, 0, 0, 1, lo, hi);
        if (right) edgeColumn3x3(ws, in, out, weights, wt, zeroTaps, bias, b, h, w, outW, s, oyFrom, oyTo, last, w - 2, 0, lo, hi);
    }

    /**
     * Columns [xLo, xHi) of {@code rows} 3×3 rows from {@code oy} (one row, or a band whose kernel
     * rows all lie in the plane, so that they share weights), one pixel at a time, weights in
     * registers (the unchecked edge columns are {@link #edgeColumn3x3}'s). It does not call
     * {@link #fourPixelSteps} itself, so that its compiled loop is the same whether the steps ran
     * first or not (with that call inside, the 7×7 planes, which never took it, ran 6 % slower).
     */
    private static void row3x3(MemorySegment ws, long in, long outRow, int outW, MemorySegment weights, long wt, long zeroTaps,
                               MemorySegment bias, long b, int h, int w, Conv2dSpec s, int oy, int rows,
                               int xLo, int xHi, float lo, float hi) {
        long za = taps(wt, zeroTaps, h, s, oy, 0), zb = taps(wt, zeroTaps, h, s, oy, 1), zc = taps(wt, zeroTaps, h, s, oy, 2);
        FloatVector w00 = FloatVector.fromMemorySegment(S, weights, za, NATIVE);
        FloatVector w01 = FloatVector.fromMemorySegment(S, weights, za + V, NATIVE);
        FloatVector w02 = FloatVector.fromMemorySegment(S, weights, za + 2 * V, NATIVE);
        FloatVector w10 = FloatVector.fromMemorySegment(S, weights, zb, NATIVE);
        FloatVector w11 = FloatVector.fromMemorySegment(S, weights, zb + V, NATIVE);
        FloatVector w12 = FloatVector.fromMemorySegment(S, weights, zb + 2 * V, NATIVE);
        FloatVector w20 = FloatVector.fromMemorySegment(S, weights, zc, NATIVE);
        FloatVector w21 = FloatVector.fromMemorySegment(S, weights, zc + V, NATIVE);
        FloatVector w22 = FloatVector.fromMemorySegment(S, weights, zc + 2 * V, NATIVE);
        FloatVector bv = FloatVector.fromMemorySegment(S, bias, b, NATIVE);
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        long ra = inputRow(in, h, w, s, oy, 0), rb = inputRow(in, h, w, s, oy, 1), rc = inputRow(in, h, w, s, oy, 2);
        long step = s.strideW() * V, d = s.dilationW() * V;
        long rowBytes = (long) s.strideH() * w * V, outRowBytes = (long) outW * V;
        for (int r = 0; r < rows; r++, ra += rowBytes, rb += rowBytes, rc += rowBytes, outRow += outRowBytes) {
            long x = ((long) xLo * s.strideW() - s.padLeft()) * V;
            for (int ox = xLo; ox < xHi; ox++, x += step) {
                FloatVector acc = FloatVector.fromMemorySegment(S, ws, ra + x, NATIVE).fma(w00, bv);
                acc = FloatVector.fromMemorySegment(S, ws, ra + x + d, NATIVE).fma(w01, acc);
                acc = FloatVector.fromMemorySegment(S, ws, ra + x + 2 * d, NATIVE).fma(w02, acc);
                acc = FloatVector.fromMemorySegment(S, ws, rb + x, NATIVE).fma(w10, acc);
                acc = FloatVector.fromMemorySegment(S, ws, rb + x + d, NATIVE).fma(w11, acc);
                acc = FloatVector.fromMemorySegment(S, ws, rb + x + 2 * d, NATIVE).fma(w12, acc);
                acc = FloatVector.fromMemorySegment(S, ws, rc + x, NATIVE).fma(w20, acc);
                acc = FloatVector.fromMemorySegment(S, ws, rc + x + d, NATIVE).fma(w21, acc);
                acc = FloatVector.fromMemorySegment(S, ws, rc + x + 2 * d, NATIVE).fma(w22, acc);
                acc = acc.blend(vlo, acc.compare(LE, vlo));
                acc.blend(vhi, acc.compare(GE, vhi)).intoMemorySegment(ws, outRow + (long) ox * V, NATIVE);
            }
        }
    }

    /**
     * Columns from xLo of {@code rows} 3×3 rows from {@code oy} (as {@link #row3x3}) at stride 1
     * or 2 without dilation, four at a time ({@link DepthwiseRowTiles}); returns the first column
     * not written (at most three short of xHi).
     */
    private static int fourPixelSteps(MemorySegment ws, long in, long outRow, int outW, MemorySegment weights, long wt,
                                      long zeroTaps, MemorySegment bias, long b, int h, int w, Conv2dSpec s, int oy,
                                      int rows, int xLo, int xHi, float lo, float hi) {
        long padBytes = (long) s.padLeft() * V; // the tiles address column ox's window from ox · stride
        long ra = inputRow(in, h, w, s, oy, 0) - padBytes, rb = inputRow(in, h, w, s, oy, 1) - padBytes;
        long rc = inputRow(in, h, w, s, oy, 2) - padBytes;
        long za = taps(wt, zeroTaps, h, s, oy, 0), zb = taps(wt, zeroTaps, h, s, oy, 1), zc = taps(wt, zeroTaps, h, s, oy, 2);
        long rowBytes = (long) s.strideH() * w * V, outRowBytes = (long) outW * V;
        return s.strideW() == 1
                ? DepthwiseRowTiles.stride1(ws, ra, rb, rc, rowBytes, outRow, outRowBytes, rows, xLo, xHi, weights, za, zb, zc,
                        bias, b, lo, hi)
                : DepthwiseRowTiles.stride2(ws, ra, rb, rc, rowBytes, outRow, outRowBytes, rows, xLo, xHi, weights, za, zb, zc,
                        bias, b, lo, hi);
    }

    /**
     * The input row that kernel row {@code r} of output row {@code oy} reads: a valid row of the
     * plane when the kernel row falls in the padding (its weights are then the zero taps).
     */
    private static long inputRow(long in, int h, int w, Conv2dSpec s, int oy, int r) {
        int y = oy * s.strideH() - s.padTop() + r * s.dilationH();
        int valid = Math.max(0, Math.min(h - 1, y - (r - 1) * s.dilationH())); // the middle kernel row's, clamped
        return in + (long) (y >= 0 && y < h ? y : valid) * w * V;
    }

    /**
     * The weights of kernel row {@code r} for output row {@code oy}: the zero taps when that row
     * falls in the padding (chosen by offset: a vector merged from two branches was
     * materialised, see Vec).
     */
    private static long taps(long wt, long zeroTaps, int h, Conv2dSpec s, int oy, int r) {
        int y = oy * s.strideH() - s.padTop() + r * s.dilationH();
        return y >= 0 && y < h ? wt + r * 3 * V : zeroTaps;
    }

    /**
     * Output column {@code ox} of rows [{@code oyFrom}, {@code oyTo}) of a 3×3 kernel: input
     * columns x0 and x0 + 1 under kernel columns k0 and k0 + 1, a kernel row in the padding
     * times zero taps as in {@link #row3x3}. Apart from row3x3 on purpose: with the edge columns
     * inside it, C2 now and then compiled row3x3 with its vector operations left as calls (11 of
     * 47 MobileNetV2 processes, their depthwise layers 3× slower). The larger cause, found later,
     * was a second vector species in the process (see {@code gemm.ColumnKernel}). One call per
     * column of a plane keeps the edges cheap on 7×7 planes.
     */
    private static void edgeColumn3x3(MemorySegment ws, long in, long out, MemorySegment weights, long wt,
                                      long zeroTaps, MemorySegment bias, long b, int h, int w, int outW, Conv2dSpec s,
                                      int oyFrom, int oyTo, int ox, int x0, int k0, float lo, float hi) {
        FloatVector bv = FloatVector.fromMemorySegment(S, bias, b, NATIVE);
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        long x = (long) x0 * V, k = (long) k0 * V;
        for (int oy = oyFrom; oy < oyTo; oy++) {
            long za = taps(wt, zeroTaps, h, s, oy, 0) + k, zb = taps(wt, zeroTaps, h, s, oy, 1) + k;
            long zc = taps(wt, zeroTaps, h, s, oy, 2) + k;
            long ra = inputRow(in, h, w, s, oy, 0) + x, rb = inputRow(in, h, w, s, oy, 1) + x, rc = inputRow(in, h, w, s, oy, 2) + x;
            FloatVector acc = FloatVector.fromMemorySegment(S, ws, ra, NATIVE)
                    .fma(FloatVector.fromMemorySegment(S, weights, za, NATIVE), bv);
            acc = FloatVector.fromMemorySegment(S, ws, ra + V, NATIVE).fma(FloatVector.fromMemorySegment(S, weights, za + V, NATIVE), acc);
            acc = FloatVector.fromMemorySegment(S, ws, rb, NATIVE).fma(FloatVector.fromMemorySegment(S, weights, zb, NATIVE), acc);
            acc = FloatVector.fromMemorySegment(S, ws, rb + V, NATIVE).fma(FloatVector.fromMemorySegment(S, weights, zb + V, NATIVE), acc);
            acc = FloatVector.fromMemorySegment(S, ws, rc, NATIVE).fma(FloatVector.fromMemorySegment(S, weights, zc, NATIVE), acc);
            acc = FloatVector.fromMemorySegment(S, ws, rc + V, NATIVE).fma(FloatVector.fromMemorySegment(S, weights, zc + V, NATIVE), acc);
            acc = acc.blend(vlo, acc.compare(LE, vlo));
            acc.blend(vhi, acc.compare(GE, vhi)).intoMemorySegment(ws, out + ((long) oy * outW + ox) * V, NATIVE);
        }
    }

    /** One output pixel, skipping the taps that fall in the padding. */
    private static void checked(MemorySegment ws, long in, long outRow, MemorySegment weights, long wt,
                                MemorySegment bias, long b, int h, int w, Conv2dSpec s, int oy, int ox,
                                float lo, float hi) {
        int kh = s.kernelH(), kw = s.kernelW();
        int y0 = oy * s.strideH() - s.padTop(), x0 = ox * s.strideW() - s.padLeft();
        FloatVector acc = FloatVector.fromMemorySegment(S, bias, b, NATIVE);
        for (int i = 0; i < kh; i++) {
            int y = y0 + i * s.dilationH();
            if (y < 0 || y >= h) continue;
            for (int j = 0; j < kw; j++) {
                int x = x0 + j * s.dilationW();
                if (x < 0 || x >= w) continue;
                FloatVector wv = FloatVector.fromMemorySegment(S, weights, wt + (long) (i * kw + j) * V, NATIVE);
                acc = FloatVector.fromMemorySegment(S, ws, in + ((long) y * w + x) * V, NATIVE).fma(wv, acc);
            }
        }
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        acc = acc.blend(vlo, acc.compare(LE, vlo));
        acc.blend(vhi, acc.compare(GE, vhi)).intoMemorySegment(ws, outRow + (long) ox * V, NATIVE);
    }
}
