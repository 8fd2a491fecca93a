package dev.panamacnn.simd.kernels;

import dev.panamacnn.core.ops.Pool2dSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pooling of blocked tensors (NCHW16c): a block's 16 channels are reduced together, one vector
 * per pixel, so a window costs one load and one max or add per tap whatever the plane size.
 * Windows and divisors follow {@code core.reference.PoolRef}. Offsets are in bytes.
 */
public final class BlockedPooling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final int BLOCK = 16;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private BlockedPooling() {}

    /**
     * Planes {@code [from, to)} (plane = image · blocks + block) of {@code pixels} pixels each,
     * from {@code in}; channel c of image i goes to {@code out + (i·channels + c)·4}. A plane
     * stores {@code stored} pixels: more than {@code pixels} only for an average over an input
     * whose zero border (halo) is summed with it.
     */
    public static void global(MemorySegment ws, long in, long out, int channels, int pixels, int stored, boolean max,
                              int from, int to) {
        int blocks = (channels + BLOCK - 1) / BLOCK;
        long plane = (long) stored * BLOCK * Float.BYTES;
        for (int p = from; p < to; p++) {
            int image = p / blocks, c0 = p % blocks * BLOCK;
            long dst = out + ((long) image * channels + c0) * Float.BYTES;
            if (max) globalMax(ws, in + p * plane, pixels, dst, Math.min(BLOCK, channels - c0));
            else globalAvg(ws, in + p * plane, stored, 1f / pixels, dst, Math.min(BLOCK, channels - c0));
        }
    }

    // Max and average are separate loops, and each stores its own result: a vector chosen by a
    // conditional and carried around a loop, or passed to a helper, was materialised (see Vec).

    private static void globalMax(MemorySegment ws, long at, int pixels, long dst, int lanes) {
        FloatVector a0 = FloatVector.fromMemorySegment(S, ws, at, NATIVE), a1 = a0;
        for (int k = 1; k + 1 < pixels; k += 2) {
            a0 = a0.max(FloatVector.fromMemorySegment(S, ws, at + k * 64L, NATIVE));
            a1 = a1.max(FloatVector.fromMemorySegment(S, ws, at + (k + 1) * 64L, NATIVE));
        }
        if (pixels % 2 == 0) a0 = a0.max(FloatVector.fromMemorySegment(S, ws, at + (pixels - 1) * 64L, NATIVE));
        FloatVector r = a0.max(a1);
        if (lanes == BLOCK) {
            r.intoMemorySegment(ws, dst, NATIVE);
        } else {
            for (int l = 0; l < lanes; l++) ws.set(ValueLayout.JAVA_FLOAT_UNALIGNED, dst + 4L * l, r.lane(l));
        }
    }

    private static void globalAvg(MemorySegment ws, long at, int pixels, float scale, long dst, int lanes) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S);
        int k = 0;
        for (; k + 1 < pixels; k += 2) {
            a0 = a0.add(FloatVector.fromMemorySegment(S, ws, at + k * 64L, NATIVE));
            a1 = a1.add(FloatVector.fromMemorySegment(S, ws, at + (k + 1) * 64L, NATIVE));
        }
        if (k < pixels) a0 = a0.add(FloatVector.fromMemorySegment(S, ws, at + k * 64L, NATIVE));
        FloatVector r = a0.add(a1).mul(scale);
        if (lanes == BLOCK) {
            r.intoMemorySegment(ws, dst, NATIVE);
        } else {
            for (int l = 0; l < lanes; l++) ws.set(ValueLayout.JAVA_FLOAT_UNALIGNED, dst + 4L * l, r.lane(l));
        }
    }

    /**
     * Output row {@code oy} of one plane (h × w pixels at {@code in}) of max or average pooling,
     * its {@code outW} pixels to {@code outRow}. Max and average are separate loops: a vector
     * chosen by a conditional and carried around a loop was materialised (see {@link Vec}).
     */
    public static void row(MemorySegment ws, long in, long outRow, int h, int w, int outW, Pool2dSpec s, int oy,
                           boolean max) {
        int y0 = oy * s.strideH() - s.padTop(), y1 = Math.min(y0 + s.kernelH(), h + s.padBottom());
        int ya = Math.max(y0, 0), yb = Math.min(y1, h);
        long v = BLOCK * Float.BYTES, rowBytes = (long) w * v;
        // Columns [xLo, xHi) of a 3×3 max whose windows lie inside the input take one tight loop.
        int xLo = outW, xHi = outW;
        if (max && s.kernelH() == 3 && s.kernelW() == 3 && yb - ya == 3) {
            xLo = Math.min(outW, (s.padLeft() + s.strideW() - 1) / s.strideW());
            xHi = Math.max(xLo, Math.min(outW, w - 3 + s.padLeft() >= 0 ? (w - 3 + s.padLeft()) / s.strideW() + 1 : 0));
        }
        for (int ox = 0; ox < outW; ox++) {
            if (ox == xLo && xLo < xHi) {
                long first = in + ya * rowBytes + ((long) xLo * s.strideW() - s.padLeft()) * v;
                max3x3Row(ws, first, rowBytes, s.strideW() * v, outRow + xLo * v, xHi - xLo);
                ox = xHi - 1;
                continue;
            }
            long dst = outRow + ox * v;
            int x0 = ox * s.strideW() - s.padLeft(), x1 = Math.min(x0 + s.kernelW(), w + s.padRight());
            int xa = Math.max(x0, 0), xb = Math.min(x1, w);
            long first = in + ya * rowBytes + xa * v;
            if (max) {
                maxWindow(ws, first, yb - ya, xb - xa, rowBytes, dst);
            } else {
                int divisor = s.countIncludePad() ? (y1 - y0) * (x1 - x0) : (yb - ya) * (xb - xa);
                avgWindow(ws, first, yb - ya, xb - xa, rowBytes, 1f / divisor, dst);
            }
        }
    }

    /** Max over a window of rows × cols pixels (at least one) from {@code at}; NaN propagates. */
    private static void maxWindow(MemorySegment ws, long at, int rows, int cols, long rowBytes, long dst) {
        FloatVector acc = FloatVector.fromMemorySegment(S, ws, at, NATIVE);
        for (int y = 0; y < rows; y++, at += rowBytes) {
            for (int x = 0; x < cols; x++) acc = acc.max(FloatVector.fromMemorySegment(S, ws, at + x * 64L, NATIVE));
        }
        acc.intoMemorySegment(ws, dst, NATIVE);
    }

    /**
     * {@code count} whole 3×3 windows (ResNet's stem pool), {@code step} bytes apart from
     * {@code at}, to consecutive pixels from {@code dst}: one loop whose body is inlined, where a
     * call per window was not. At stride 2 neighbouring windows share a column, so each column's
     * maximum over the three rows is computed once (6 loads and 6 maxima a window instead of 9
     * and 8); max is exact, so the order does not change the result.
     */
    private static void max3x3Row(MemorySegment ws, long at, long rowBytes, long step, long dst, int count) {
        if (step == 2 * 64) {
            max3x3RowStride2(ws, at, rowBytes, dst, count);
            return;
        }
        for (int i = 0; i < count; i++, at += step, dst += 64) {
            long b = at + rowBytes, c = b + rowBytes;
            FloatVector top = FloatVector.fromMemorySegment(S, ws, at, NATIVE)
                    .max(FloatVector.fromMemorySegment(S, ws, at + 64, NATIVE))
                    .max(FloatVector.fromMemorySegment(S, ws, at + 128, NATIVE));
            FloatVector middle = FloatVector.fromMemorySegment(S, ws, b, NATIVE)
                    .max(FloatVector.fromMemorySegment(S, ws, b + 64, NATIVE))
                    .max(FloatVector.fromMemorySegment(S, ws, b + 128, NATIVE));
            FloatVector bottom = FloatVector.fromMemorySegment(S, ws, c, NATIVE)
                    .max(FloatVector.fromMemorySegment(S, ws, c + 64, NATIVE))
                    .max(FloatVector.fromMemorySegment(S, ws, c + 128, NATIVE));
            top.max(middle).max(bottom).intoMemorySegment(ws, dst, NATIVE);
        }
    }

    private static void max3x3RowStride2(MemorySegment ws, long at, long rowBytes, long dst, int count) {
        long b = at + rowBytes, c = b + rowBytes;
        FloatVector left = FloatVector.fromMemorySegment(S, ws, at, NATIVE)
                .max(FloatVector.fromMemorySegment(S, ws, b, NATIVE))
                .max(FloatVector.fromMemorySegment(S, ws, c, NATIVE));
        for (int i = 0; i < count; i++, at += 128, b += 128, c += 128, dst += 64) {
            FloatVector middle = FloatVector.fromMemorySegment(S, ws, at + 64, NATIVE)
                    .max(FloatVector.fromMemorySegment(S, ws, b + 64, NATIVE))
                    .max(FloatVector.fromMemorySegment(S, ws, c + 64, NATIVE));
            FloatVector right = FloatVector.fromMemorySegment(S, ws, at + 128, NATIVE)
                    .max(FloatVector.fromMemorySegment(S, ws, b + 128, NATIVE))
                    .max(FloatVector.fromMemorySegment(S, ws, c + 128, NATIVE));
            left.max(middle).max(right).intoMemorySegment(ws, dst, NATIVE);
            left = right;
        }
    }

    /** Window sum times {@code scale}. */
    private static void avgWindow(MemorySegment ws, long at, int rows, int cols, long rowBytes, float scale, long dst) {
        FloatVector acc = FloatVector.zero(S);
        for (int y = 0; y < rows; y++, at += rowBytes) {
            for (int x = 0; x < cols; x++) acc = acc.add(FloatVector.fromMemorySegment(S, ws, at + x * 64L, NATIVE));
        }
        acc.mul(scale).intoMemorySegment(ws, dst, NATIVE);
    }
}
