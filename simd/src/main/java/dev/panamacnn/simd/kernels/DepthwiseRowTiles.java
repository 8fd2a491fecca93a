package dev.panamacnn.simd.kernels;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inside of a 3×3 depthwise row on a blocked tensor (see {@link BlockedDepthwise}), four
 * output pixels a step: four independent accumulator chains, the inputs of a kernel row loaded
 * once for all four (6 loads for 12 FMAs at stride 1, 9 at stride 2).
 *
 * <p>One pixel at a time, a pixel's nine dependent FMAs (4 cycles each here) bound the row:
 * about 22 cycles a pixel, and a bounds check per load besides, since the column offset was not
 * linear in the loop counter. Measured alone (blocked 3×3, ReLU6, 28² × 192 and 56² × 144
 * channels): 57 → 46 µs and 157 → 117 µs. Eight pixels a step went past C2's inlining budget
 * (every vector boxed, 40× slower).
 *
 * <p>Generated: edit {@code tools/codegen/depthwise_row_tiles.py}, not this file. Clamps are
 * blends (see {@link Vec}).
 */
public final class DepthwiseRowTiles {
    /** Output pixels per step. */
    public static final int PIXELS = 4;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final long V = 64; // bytes per vector: 16 channels of one pixel
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private DepthwiseRowTiles() {}

    /**
     * Output columns [{@code from}, {@code to}) of {@code rows} 3×3 rows with stride 1 and dilation
     * 1, four at a time; returns the first column not written (at most three short of {@code to}).
     * The window of output column ox starts at byte ox · 64 of the first row's input rows
     * {@code ra}, {@code rb}, {@code rc} (the rows' starts less the left padding); each next row
     * reads {@code rowBytes} further and writes {@code outRowBytes} further. The three kernel rows'
     * weights, at {@code za}, {@code zb}, {@code zc}, serve every row.
     */
    public static int stride1(MemorySegment ws, long ra, long rb, long rc, long rowBytes, long outRow, long outRowBytes,
            int rows, int from, int to, MemorySegment weights, long za, long zb, long zc, MemorySegment bias, long b,
            float lo, float hi) {
        FloatVector w00 = FloatVector.fromMemorySegment(S, weights, za, NATIVE);
        FloatVector w01 = FloatVector.fromMemorySegment(S, weights, za + 1 * V, NATIVE);
        FloatVector w02 = FloatVector.fromMemorySegment(S, weights, za + 2 * V, NATIVE);
        FloatVector w10 = FloatVector.fromMemorySegment(S, weights, zb, NATIVE);
        FloatVector w11 = FloatVector.fromMemorySegment(S, weights, zb + 1 * V, NATIVE);
        FloatVector w12 = FloatVector.fromMemorySegment(S, weights, zb + 2 * V, NATIVE);
        FloatVector w20 = FloatVector.fromMemorySegment(S, weights, zc, NATIVE);
        FloatVector w21 = FloatVector.fromMemorySegment(S, weights, zc + 1 * V, NATIVE);
        FloatVector w22 = FloatVector.fromMemorySegment(S, weights, zc + 2 * V, NATIVE);
        FloatVector bv = FloatVector.fromMemorySegment(S, bias, b, NATIVE);
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        int ox = from;
        for (int r = 0; r < rows; r++, ra += rowBytes, rb += rowBytes, rc += rowBytes, outRow += outRowBytes) {
            for (ox = from; ox + 4 <= to; ox += 4) {
                // Linear in ox with a constant scale: C2 hoists the bounds checks out of the loop.
                long x = ox * 64L;
                FloatVector a0 = bv, a1 = bv, a2 = bv, a3 = bv, i0, i1, i2, i3, i4, i5;
                i0 = FloatVector.fromMemorySegment(S, ws, ra + x, NATIVE);
                i1 = FloatVector.fromMemorySegment(S, ws, ra + x + 1 * V, NATIVE);
                i2 = FloatVector.fromMemorySegment(S, ws, ra + x + 2 * V, NATIVE);
                i3 = FloatVector.fromMemorySegment(S, ws, ra + x + 3 * V, NATIVE);
                i4 = FloatVector.fromMemorySegment(S, ws, ra + x + 4 * V, NATIVE);
                i5 = FloatVector.fromMemorySegment(S, ws, ra + x + 5 * V, NATIVE);
                a0 = i0.fma(w00, a0);
                a1 = i1.fma(w00, a1);
                a2 = i2.fma(w00, a2);
                a3 = i3.fma(w00, a3);
                a0 = i1.fma(w01, a0);
                a1 = i2.fma(w01, a1);
                a2 = i3.fma(w01, a2);
                a3 = i4.fma(w01, a3);
                a0 = i2.fma(w02, a0);
                a1 = i3.fma(w02, a1);
                a2 = i4.fma(w02, a2);
                a3 = i5.fma(w02, a3);
                i0 = FloatVector.fromMemorySegment(S, ws, rb + x, NATIVE);
                i1 = FloatVector.fromMemorySegment(S, ws, rb + x + 1 * V, NATIVE);
                i2 = FloatVector.fromMemorySegment(S, ws, rb + x + 2 * V, NATIVE);
                i3 = FloatVector.fromMemorySegment(S, ws, rb + x + 3 * V, NATIVE);
                i4 = FloatVector.fromMemorySegment(S, ws, rb + x + 4 * V, NATIVE);
                i5 = FloatVector.fromMemorySegment(S, ws, rb + x + 5 * V, NATIVE);
                a0 = i0.fma(w10, a0);
                a1 = i1.fma(w10, a1);
                a2 = i2.fma(w10, a2);
                a3 = i3.fma(w10, a3);
                a0 = i1.fma(w11, a0);
                a1 = i2.fma(w11, a1);
                a2 = i3.fma(w11, a2);
                a3 = i4.fma(w11, a3);
                a0 = i2.fma(w12, a0);
                a1 = i3.fma(w12, a1);
                a2 = i4.fma(w12, a2);
                a3 = i5.fma(w12, a3);
                i0 = FloatVector.fromMemorySegment(S, ws, rc + x, NATIVE);
                i1 = FloatVector.fromMemorySegment(S, ws, rc + x + 1 * V, NATIVE);
                i2 = FloatVector.fromMemorySegment(S, ws, rc + x + 2 * V, NATIVE);
                i3 = FloatVector.fromMemorySegment(S, ws, rc + x + 3 * V, NATIVE);
                i4 = FloatVector.fromMemorySegment(S, ws, rc + x + 4 * V, NATIVE);
                i5 = FloatVector.fromMemorySegment(S, ws, rc + x + 5 * V, NATIVE);
                a0 = i0.fma(w20, a0);
                a1 = i1.fma(w20, a1);
                a2 = i2.fma(w20, a2);
                a3 = i3.fma(w20, a3);
                a0 = i1.fma(w21, a0);
                a1 = i2.fma(w21, a1);
                a2 = i3.fma(w21, a2);
                a3 = i4.fma(w21, a3);
                a0 = i2.fma(w22, a0);
                a1 = i3.fma(w22, a1);
                a2 = i4.fma(w22, a2);
                a3 = i5.fma(w22, a3);
                a0 = a0.blend(vlo, a0.compare(LE, vlo));
                a0.blend(vhi, a0.compare(GE, vhi)).intoMemorySegment(ws, outRow + ox * V, NATIVE);
                a1 = a1.blend(vlo, a1.compare(LE, vlo));
                a1.blend(vhi, a1.compare(GE, vhi)).intoMemorySegment(ws, outRow + ox * V + 1 * V, NATIVE);
                a2 = a2.blend(vlo, a2.compare(LE, vlo));
                a2.blend(vhi, a2.compare(GE, vhi)).intoMemorySegment(ws, outRow + ox * V + 2 * V, NATIVE);
                a3 = a3.blend(vlo, a3.compare(LE, vlo));
                a3.blend(vhi, a3.compare(GE, vhi)).intoMemorySegment(ws, outRow + ox * V + 3 * V, NATIVE);
            }
        }
        return ox;
    }

    /**
     * Output columns [{@code from}, {@code to}) of {@code rows} 3×3 rows with stride 2 and dilation
     * 1, four at a time; returns the first column not written (at most three short of {@code to}).
     * The window of output column ox starts at byte ox · 128 of the first row's input rows
     * {@code ra}, {@code rb}, {@code rc} (the rows' starts less the left padding); each next row
     * reads {@code rowBytes} further and writes {@code outRowBytes} further. The three kernel rows'
     * weights, at {@code za}, {@code zb}, {@code zc}, serve every row.
     */
    public static int stride2(MemorySegment ws, long ra, long rb, long rc, long rowBytes, long outRow, long outRowBytes,
            int rows, int from, int to, MemorySegment weights, long za, long zb, long zc, MemorySegment bias, long b,
            float lo, float hi) {
        FloatVector w00 = FloatVector.fromMemorySegment(S, weights, za, NATIVE);
        FloatVector w01 = FloatVector.fromMemorySegment(S, weights, za + 1 * V, NATIVE);
        FloatVector w02 = FloatVector.fromMemorySegment(S, weights, za + 2 * V, NATIVE);
        FloatVector w10 = FloatVector.fromMemorySegment(S, weights, zb, NATIVE);
        FloatVector w11 = FloatVector.fromMemorySegment(S, weights, zb + 1 * V, NATIVE);
        FloatVector w12 = FloatVector.fromMemorySegment(S, weights, zb + 2 * V, NATIVE);
        FloatVector w20 = FloatVector.fromMemorySegment(S, weights, zc, NATIVE);
        FloatVector w21 = FloatVector.fromMemorySegment(S, weights, zc + 1 * V, NATIVE);
        FloatVector w22 = FloatVector.fromMemorySegment(S, weights, zc + 2 * V, NATIVE);
        FloatVector bv = FloatVector.fromMemorySegment(S, bias, b, NATIVE);
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        int ox = from;
        for (int r = 0; r < rows; r++, ra += rowBytes, rb += rowBytes, rc += rowBytes, outRow += outRowBytes) {
            for (ox = from; ox + 4 <= to; ox += 4) {
                // Linear in ox with a constant scale: C2 hoists the bounds checks out of the loop.
                long x = ox * 128L;
                FloatVector a0 = bv, a1 = bv, a2 = bv, a3 = bv, i0, i1, i2, i3, i4, i5, i6, i7, i8;
                i0 = FloatVector.fromMemorySegment(S, ws, ra + x, NATIVE);
                i1 = FloatVector.fromMemorySegment(S, ws, ra + x + 1 * V, NATIVE);
                i2 = FloatVector.fromMemorySegment(S, ws, ra + x + 2 * V, NATIVE);
                i3 = FloatVector.fromMemorySegment(S, ws, ra + x + 3 * V, NATIVE);
                i4 = FloatVector.fromMemorySegment(S, ws, ra + x + 4 * V, NATIVE);
                i5 = FloatVector.fromMemorySegment(S, ws, ra + x + 5 * V, NATIVE);
                i6 = FloatVector.fromMemorySegment(S, ws, ra + x + 6 * V, NATIVE);
                i7 = FloatVector.fromMemorySegment(S, ws, ra + x + 7 * V, NATIVE);
                i8 = FloatVector.fromMemorySegment(S, ws, ra + x + 8 * V, NATIVE);
                a0 = i0.fma(w00, a0);
                a1 = i2.fma(w00, a1);
                a2 = i4.fma(w00, a2);
                a3 = i6.fma(w00, a3);
                a0 = i1.fma(w01, a0);
                a1 = i3.fma(w01, a1);
                a2 = i5.fma(w01, a2);
                a3 = i7.fma(w01, a3);
                a0 = i2.fma(w02, a0);
                a1 = i4.fma(w02, a1);
                a2 = i6.fma(w02, a2);
                a3 = i8.fma(w02, a3);
                i0 = FloatVector.fromMemorySegment(S, ws, rb + x, NATIVE);
                i1 = FloatVector.fromMemorySegment(S, ws, rb + x + 1 * V, NATIVE);
                i2 = FloatVector.fromMemorySegment(S, ws, rb + x + 2 * V, NATIVE);
                i3 = FloatVector.fromMemorySegment(S, ws, rb + x + 3 * V, NATIVE);
                i4 = FloatVector.fromMemorySegment(S, ws, rb + x + 4 * V, NATIVE);
                i5 = FloatVector.fromMemorySegment(S, ws, rb + x + 5 * V, NATIVE);
                i6 = FloatVector.fromMemorySegment(S, ws, rb + x + 6 * V, NATIVE);
                i7 = FloatVector.fromMemorySegment(S, ws, rb + x + 7 * V, NATIVE);
                i8 = FloatVector.fromMemorySegment(S, ws, rb + x + 8 * V, NATIVE);
                a0 = i0.fma(w10, a0);
                a1 = i2.fma(w10, a1);
                a2 = i4.fma(w10, a2);
                a3 = i6.fma(w10, a3);
                a0 = i1.fma(w11, a0);
                a1 = i3.fma(w11, a1);
                a2 = i5.fma(w11, a2);
                a3 = i7.fma(w11, a3);
                a0 = i2.fma(w12, a0);
                a1 = i4.fma(w12, a1);
                a2 = i6.fma(w12, a2);
                a3 = i8.fma(w12, a3);
                i0 = FloatVector.fromMemorySegment(S, ws, rc + x, NATIVE);
                i1 = FloatVector.fromMemorySegment(S, ws, rc + x + 1 * V, NATIVE);
                i2 = FloatVector.fromMemorySegment(S, ws, rc + x + 2 * V, NATIVE);
                i3 = FloatVector.fromMemorySegment(S, ws, rc + x + 3 * V, NATIVE);
                i4 = FloatVector.fromMemorySegment(S, ws, rc + x + 4 * V, NATIVE);
                i5 = FloatVector.fromMemorySegment(S, ws, rc + x + 5 * V, NATIVE);
                i6 = FloatVector.fromMemorySegment(S, ws, rc + x + 6 * V, NATIVE);
                i7 = FloatVector.fromMemorySegment(S, ws, rc + x + 7 * V, NATIVE);
                i8 = FloatVector.fromMemorySegment(S, ws, rc + x + 8 * V, NATIVE);
                a0 = i0.fma(w20, a0);
                a1 = i2.fma(w20, a1);
                a2 = i4.fma(w20, a2);
                a3 = i6.fma(w20, a3);
                a0 = i1.fma(w21, a0);
                a1 = i3.fma(w21, a1);
                a2 = i5.fma(w21, a2);
                a3 = i7.fma(w21, a3);
                a0 = i2.fma(w22, a0);
                a1 = i4.fma(w22, a1);
                a2 = i6.fma(w22, a2);
                a3 = i8.fma(w22, a3);
                a0 = a0.blend(vlo, a0.compare(LE, vlo));
                a0.blend(vhi, a0.compare(GE, vhi)).intoMemorySegment(ws, outRow + ox * V, NATIVE);
                a1 = a1.blend(vlo, a1.compare(LE, vlo));
                a1.blend(vhi, a1.compare(GE, vhi)).intoMemorySegment(ws, outRow + ox * V + 1 * V, NATIVE);
                a2 = a2.blend(vlo, a2.compare(LE, vlo));
                a2.blend(vhi, a2.compare(GE, vhi)).intoMemorySegment(ws, outRow + ox * V + 2 * V, NATIVE);
                a3 = a3.blend(vlo, a3.compare(LE, vlo));
                a3.blend(vhi, a3.compare(GE, vhi)).intoMemorySegment(ws, outRow + ox * V + 3 * V, NATIVE);
            }
        }
        return ox;
    }
}
