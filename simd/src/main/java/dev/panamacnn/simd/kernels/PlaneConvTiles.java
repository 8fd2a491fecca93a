package dev.panamacnn.simd.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Register tiles of the plane convolution ({@code dev.panamacnn.simd.PlaneConv}): an image lies
 * in zero-padded planes, output pixel (oy, ox) at flat position {@code q = oy·Wp + ox}, and tap
 * t reads the planes at {@code q + off[t]}, so every operand is a plain vector load at a fixed
 * offset. Offsets and positions count floats.
 *
 * <p>Edge tiles repeat the last row or tap instead of branching (as in the weight-gradient
 * kernel): a repeated pair computes the same values and stores them to the same place. The tiles
 * are unrolled by hand because a loop over an array of vectors would box them.
 */
public final class PlaneConvTiles {
    private static final int L = Vec.L;
    private static final long VB = 4L * L;

    private PlaneConvTiles() {}

    /**
     * Three output channels × four vectors of positions: rows {@code r0..r2} of {@code out}
     * (row r at {@code r·outStride}) get, at positions {@code [q, q + 4L)}, the sum over taps t
     * of {@code w[r·taps + t] · planes[q + off[t]]}. 12 accumulators, 7 loads per 12 FMAs.
     */
    public static void forward3x4(MemorySegment planes, long q, int[] off, float[] w, int taps, int r0, int r1, int r2,
                                  MemorySegment out, long outStride) {
        FloatVector a00 = FloatVector.zero(Vec.F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        int w0 = r0 * taps, w1 = r1 * taps, w2 = r2 * taps;
        for (int t = 0; t < taps; t++) {
            long b = (q + off[t]) * 4L;
            FloatVector x0 = FloatVector.fromMemorySegment(Vec.F, planes, b, Vec.ORDER);
            FloatVector x1 = FloatVector.fromMemorySegment(Vec.F, planes, b + VB, Vec.ORDER);
            FloatVector x2 = FloatVector.fromMemorySegment(Vec.F, planes, b + 2 * VB, Vec.ORDER);
            FloatVector x3 = FloatVector.fromMemorySegment(Vec.F, planes, b + 3 * VB, Vec.ORDER);
            FloatVector k0 = FloatVector.broadcast(Vec.F, w[w0 + t]);
            FloatVector k1 = FloatVector.broadcast(Vec.F, w[w1 + t]);
            FloatVector k2 = FloatVector.broadcast(Vec.F, w[w2 + t]);
            a00 = x0.fma(k0, a00);
            a01 = x1.fma(k0, a01);
            a02 = x2.fma(k0, a02);
            a03 = x3.fma(k0, a03);
            a10 = x0.fma(k1, a10);
            a11 = x1.fma(k1, a11);
            a12 = x2.fma(k1, a12);
            a13 = x3.fma(k1, a13);
            a20 = x0.fma(k2, a20);
            a21 = x1.fma(k2, a21);
            a22 = x2.fma(k2, a22);
            a23 = x3.fma(k2, a23);
        }
        long o0 = (r0 * outStride + q) * 4L, o1 = (r1 * outStride + q) * 4L, o2 = (r2 * outStride + q) * 4L;
        a00.intoMemorySegment(out, o0, Vec.ORDER);
        a01.intoMemorySegment(out, o0 + VB, Vec.ORDER);
        a02.intoMemorySegment(out, o0 + 2 * VB, Vec.ORDER);
        a03.intoMemorySegment(out, o0 + 3 * VB, Vec.ORDER);
        a10.intoMemorySegment(out, o1, Vec.ORDER);
        a11.intoMemorySegment(out, o1 + VB, Vec.ORDER);
        a12.intoMemorySegment(out, o1 + 2 * VB, Vec.ORDER);
        a13.intoMemorySegment(out, o1 + 3 * VB, Vec.ORDER);
        a20.intoMemorySegment(out, o2, Vec.ORDER);
        a21.intoMemorySegment(out, o2 + VB, Vec.ORDER);
        a22.intoMemorySegment(out, o2 + 2 * VB, Vec.ORDER);
        a23.intoMemorySegment(out, o2 + 3 * VB, Vec.ORDER);
    }

    /**
     * Weight gradient of three output channels × five taps over {@code vectors·L} positions:
     * lane sums {@code acc[a_r + t_j·L ..]} += {@code dy[d_r + p] · planes[p + o_j]} for p in
     * [0, vectors·L). dY rows must be zero wherever a position is not a real output pixel.
     * 15 accumulators, 8 loads per 15 FMAs.
     *
     * @param d0 first element of dY row r0 (d1, d2 likewise)
     * @param o0 plane offset of tap t0 (o1..o4 likewise)
     * @param a0 lane sums of row r0 (a1, a2 likewise): tap t at {@code a0 + t·L}
     */
    public static void weightGrad3x5(MemorySegment planes, int o0, int o1, int o2, int o3, int o4,
                                     MemorySegment dy, long d0, long d1, long d2, int vectors,
                                     MemorySegment acc, long a0, long a1, long a2,
                                     int t0, int t1, int t2, int t3, int t4) {
        FloatVector s00 = FloatVector.zero(Vec.F), s01 = s00, s02 = s00, s03 = s00, s04 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00, s14 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00, s24 = s00;
        for (int v = 0; v < vectors; v++) {
            long p = (long) v * L;
            FloatVector g0 = FloatVector.fromMemorySegment(Vec.F, dy, (d0 + p) * 4L, Vec.ORDER);
            FloatVector g1 = FloatVector.fromMemorySegment(Vec.F, dy, (d1 + p) * 4L, Vec.ORDER);
            FloatVector g2 = FloatVector.fromMemorySegment(Vec.F, dy, (d2 + p) * 4L, Vec.ORDER);
            FloatVector x0 = FloatVector.fromMemorySegment(Vec.F, planes, (p + o0) * 4L, Vec.ORDER);
            FloatVector x1 = FloatVector.fromMemorySegment(Vec.F, planes, (p + o1) * 4L, Vec.ORDER);
            FloatVector x2 = FloatVector.fromMemorySegment(Vec.F, planes, (p + o2) * 4L, Vec.ORDER);
            FloatVector x3 = FloatVector.fromMemorySegment(Vec.F, planes, (p + o3) * 4L, Vec.ORDER);
            FloatVector x4 = FloatVector.fromMemorySegment(Vec.F, planes, (p + o4) * 4L, Vec.ORDER);
            s00 = x0.fma(g0, s00);
            s01 = x1.fma(g0, s01);
            s02 = x2.fma(g0, s02);
            s03 = x3.fma(g0, s03);
            s04 = x4.fma(g0, s04);
            s10 = x0.fma(g1, s10);
            s11 = x1.fma(g1, s11);
            s12 = x2.fma(g1, s12);
            s13 = x3.fma(g1, s13);
            s14 = x4.fma(g1, s14);
            s20 = x0.fma(g2, s20);
            s21 = x1.fma(g2, s21);
            s22 = x2.fma(g2, s22);
            s23 = x3.fma(g2, s23);
            s24 = x4.fma(g2, s24);
        }
        // Every lane sum is read before any is written: a repeated (row, tap) pair then stores
        // the same total twice instead of adding its sum twice.
        long b00 = (a0 + (long) t0 * L) * 4L, b01 = (a0 + (long) t1 * L) * 4L, b02 = (a0 + (long) t2 * L) * 4L;
        long b03 = (a0 + (long) t3 * L) * 4L, b04 = (a0 + (long) t4 * L) * 4L;
        long b10 = (a1 + (long) t0 * L) * 4L, b11 = (a1 + (long) t1 * L) * 4L, b12 = (a1 + (long) t2 * L) * 4L;
        long b13 = (a1 + (long) t3 * L) * 4L, b14 = (a1 + (long) t4 * L) * 4L;
        long b20 = (a2 + (long) t0 * L) * 4L, b21 = (a2 + (long) t1 * L) * 4L, b22 = (a2 + (long) t2 * L) * 4L;
        long b23 = (a2 + (long) t3 * L) * 4L, b24 = (a2 + (long) t4 * L) * 4L;
        s00 = s00.add(FloatVector.fromMemorySegment(Vec.F, acc, b00, Vec.ORDER));
        s01 = s01.add(FloatVector.fromMemorySegment(Vec.F, acc, b01, Vec.ORDER));
        s02 = s02.add(FloatVector.fromMemorySegment(Vec.F, acc, b02, Vec.ORDER));
        s03 = s03.add(FloatVector.fromMemorySegment(Vec.F, acc, b03, Vec.ORDER));
        s04 = s04.add(FloatVector.fromMemorySegment(Vec.F, acc, b04, Vec.ORDER));
        s10 = s10.add(FloatVector.fromMemorySegment(Vec.F, acc, b10, Vec.ORDER));
        s11 = s11.add(FloatVector.fromMemorySegment(Vec.F, acc, b11, Vec.ORDER));
        s12 = s12.add(FloatVector.fromMemorySegment(Vec.F, acc, b12, Vec.ORDER));
        s13 = s13.add(FloatVector.fromMemorySegment(Vec.F, acc, b13, Vec.ORDER));
        s14 = s14.add(FloatVector.fromMemorySegment(Vec.F, acc, b14, Vec.ORDER));
        s20 = s20.add(FloatVector.fromMemorySegment(Vec.F, acc, b20, Vec.ORDER));
        s21 = s21.add(FloatVector.fromMemorySegment(Vec.F, acc, b21, Vec.ORDER));
        s22 = s22.add(FloatVector.fromMemorySegment(Vec.F, acc, b22, Vec.ORDER));
        s23 = s23.add(FloatVector.fromMemorySegment(Vec.F, acc, b23, Vec.ORDER));
        s24 = s24.add(FloatVector.fromMemorySegment(Vec.F, acc, b24, Vec.ORDER));
        s00.intoMemorySegment(acc, b00, Vec.ORDER);
        s01.intoMemorySegment(acc, b01, Vec.ORDER);
        s02.intoMemorySegment(acc, b02, Vec.ORDER);
        s03.intoMemorySegment(acc, b03, Vec.ORDER);
        s04.intoMemorySegment(acc, b04, Vec.ORDER);
        s10.intoMemorySegment(acc, b10, Vec.ORDER);
        s11.intoMemorySegment(acc, b11, Vec.ORDER);
        s12.intoMemorySegment(acc, b12, Vec.ORDER);
        s13.intoMemorySegment(acc, b13, Vec.ORDER);
        s14.intoMemorySegment(acc, b14, Vec.ORDER);
        s20.intoMemorySegment(acc, b20, Vec.ORDER);
        s21.intoMemorySegment(acc, b21, Vec.ORDER);
        s22.intoMemorySegment(acc, b22, Vec.ORDER);
        s23.intoMemorySegment(acc, b23, Vec.ORDER);
        s24.intoMemorySegment(acc, b24, Vec.ORDER);
    }
}
