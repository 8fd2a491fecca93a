package dev.panamacnn.simd;

import dev.panamacnn.simd.gemm.GemmConfig;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight gradient of a convolution, {@code dW[o][n] += Σ_p dY[o][p] · cols[n][p]}, as dot
 * products along the output pixels p with vectors, the partial sums kept per lane in memory
 * ({@code acc[o][n][lane]}) across all the images of a thread's slice and reduced once at the
 * end. Both operands are read along p, so neither is transposed: dY rows as they are (copied
 * into zero-padded rows), the image's columns as the packed B panels the forward's
 * {@link Im2colPacker} writes (row n of panel q is NR consecutive pixels). A GEMM would need
 * dY packed K-major and the columns transposed, element by element, for every image.
 *
 * <p>Register tile: 4 rows × 5 taps (20 accumulators, 9 loads per 20 FMAs), or 3 × 5 where three
 * rows divide the rows and four do not: LeNet's 6 × 25 and 16 × 150 gradients are then covered
 * exactly (a 4 × 4 tile computed 8 × 28 of the first, 33 % extra). Edge tiles repeat the last row
 * or tap instead of branching: a repeated pair computes the same sums as the original and stores
 * the same values to the same place. The tile code is unrolled by hand (a loop over an array
 * of vectors would box them).
 */
final class WeightGradKernel {
    private static final VectorSpecies<Float> S = VectorCapabilities.FLOAT_SPECIES;
    private static final int L = S.length();
    private static final int NR = GemmConfig.NR;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private WeightGradKernel() {}

    /** Whether the kernel's species matches the GEMM's (a packed panel row is whole vectors). */
    static boolean available() {
        return NR % L == 0;
    }

    /**
     * Adds the panels one after another into every accumulator. Per call, each tile loads and
     * stores its accumulators once (~150 cycles): over LeNet's 16 × 150 gradient of one image (5
     * panels) that was a third of the time, so callers pass several images' panels in one run
     * where they lie back to back (dY rows of several images side by side, see DyBlocks).
     *
     * @param dy      dY rows: row r at element {@code dyOff + r·dyStride}, zero-padded to panels·NR
     * @param rows    output channels (rows of dY and of dW)
     * @param cols    packed im2col panels: tap n, pixel q·NR + j at element {@code colsOff + q·k·NR + n·NR + j}
     * @param k       taps (columns of dW)
     * @param acc     lane sums: (r, n) at elements {@code accOff + (r·k + n)·L}, L of them
     */
    static void accumulate(MemorySegment dy, long dyOff, long dyStride, int rows, MemorySegment cols, long colsOff,
                           int k, int panels, MemorySegment acc, long accOff) {
        // Three-row tiles where they cover the rows exactly and four-row ones would not (LeNet's 6).
        if (rows % 4 != 0 && rows % 3 == 0) tiles3x5(dy, dyOff, dyStride, rows, cols, colsOff, k, panels, acc, accOff);
        else tiles4x5(dy, dyOff, dyStride, rows, cols, colsOff, k, panels, acc, accOff);
    }

    /** One 4-row × 5-tap register tile per step (20 accumulators, 9 loads per 20 FMAs); see {@link #accumulate}. */
    private static void tiles4x5(MemorySegment dy, long dyOff, long dyStride, int rows, MemorySegment cols, long colsOff,
                                int k, int panels, MemorySegment acc, long accOff) {
        long panelBytes = (long) k * NR * 4, ab = accOff * 4, cb = colsOff * 4;
        for (int r0 = 0; r0 < rows; r0 += 4) {
            int i0 = r0;
            int i1 = Math.min(r0 + 1, rows - 1);
            int i2 = Math.min(r0 + 2, rows - 1);
            int i3 = Math.min(r0 + 3, rows - 1);
            long a0 = (dyOff + i0 * dyStride) * 4, s0 = (long) i0 * k;
            long a1 = (dyOff + i1 * dyStride) * 4, s1 = (long) i1 * k;
            long a2 = (dyOff + i2 * dyStride) * 4, s2 = (long) i2 * k;
            long a3 = (dyOff + i3 * dyStride) * 4, s3 = (long) i3 * k;
            for (int n0 = 0; n0 < k; n0 += 5) {
                int n1 = Math.min(n0 + 1, k - 1);
                int n2 = Math.min(n0 + 2, k - 1);
                int n3 = Math.min(n0 + 3, k - 1);
                int n4 = Math.min(n0 + 4, k - 1);
                long b0 = cb + (long) n0 * NR * 4;
                long b1 = cb + (long) n1 * NR * 4;
                long b2 = cb + (long) n2 * NR * 4;
                long b3 = cb + (long) n3 * NR * 4;
                long b4 = cb + (long) n4 * NR * 4;
                long t00 = ab + (s0 + n0) * L * 4;
                long t01 = ab + (s0 + n1) * L * 4;
                long t02 = ab + (s0 + n2) * L * 4;
                long t03 = ab + (s0 + n3) * L * 4;
                long t04 = ab + (s0 + n4) * L * 4;
                long t10 = ab + (s1 + n0) * L * 4;
                long t11 = ab + (s1 + n1) * L * 4;
                long t12 = ab + (s1 + n2) * L * 4;
                long t13 = ab + (s1 + n3) * L * 4;
                long t14 = ab + (s1 + n4) * L * 4;
                long t20 = ab + (s2 + n0) * L * 4;
                long t21 = ab + (s2 + n1) * L * 4;
                long t22 = ab + (s2 + n2) * L * 4;
                long t23 = ab + (s2 + n3) * L * 4;
                long t24 = ab + (s2 + n4) * L * 4;
                long t30 = ab + (s3 + n0) * L * 4;
                long t31 = ab + (s3 + n1) * L * 4;
                long t32 = ab + (s3 + n2) * L * 4;
                long t33 = ab + (s3 + n3) * L * 4;
                long t34 = ab + (s3 + n4) * L * 4;
                FloatVector c00 = FloatVector.fromMemorySegment(S, acc, t00, LE);
                FloatVector c01 = FloatVector.fromMemorySegment(S, acc, t01, LE);
                FloatVector c02 = FloatVector.fromMemorySegment(S, acc, t02, LE);
                FloatVector c03 = FloatVector.fromMemorySegment(S, acc, t03, LE);
                FloatVector c04 = FloatVector.fromMemorySegment(S, acc, t04, LE);
                FloatVector c10 = FloatVector.fromMemorySegment(S, acc, t10, LE);
                FloatVector c11 = FloatVector.fromMemorySegment(S, acc, t11, LE);
                FloatVector c12 = FloatVector.fromMemorySegment(S, acc, t12, LE);
                FloatVector c13 = FloatVector.fromMemorySegment(S, acc, t13, LE);
                FloatVector c14 = FloatVector.fromMemorySegment(S, acc, t14, LE);
                FloatVector c20 = FloatVector.fromMemorySegment(S, acc, t20, LE);
                FloatVector c21 = FloatVector.fromMemorySegment(S, acc, t21, LE);
                FloatVector c22 = FloatVector.fromMemorySegment(S, acc, t22, LE);
                FloatVector c23 = FloatVector.fromMemorySegment(S, acc, t23, LE);
                FloatVector c24 = FloatVector.fromMemorySegment(S, acc, t24, LE);
                FloatVector c30 = FloatVector.fromMemorySegment(S, acc, t30, LE);
                FloatVector c31 = FloatVector.fromMemorySegment(S, acc, t31, LE);
                FloatVector c32 = FloatVector.fromMemorySegment(S, acc, t32, LE);
                FloatVector c33 = FloatVector.fromMemorySegment(S, acc, t33, LE);
                FloatVector c34 = FloatVector.fromMemorySegment(S, acc, t34, LE);
                for (int q = 0; q < panels; q++) {
                    long panel = q * panelBytes;
                    for (int v = 0; v < NR; v += L) {
                        long p = ((long) q * NR + v) * 4, pb = panel + (long) v * 4;
                        FloatVector x0 = FloatVector.fromMemorySegment(S, dy, a0 + p, LE);
                        FloatVector x1 = FloatVector.fromMemorySegment(S, dy, a1 + p, LE);
                        FloatVector x2 = FloatVector.fromMemorySegment(S, dy, a2 + p, LE);
                        FloatVector x3 = FloatVector.fromMemorySegment(S, dy, a3 + p, LE);
                        FloatVector y0 = FloatVector.fromMemorySegment(S, cols, b0 + pb, LE);
                        FloatVector y1 = FloatVector.fromMemorySegment(S, cols, b1 + pb, LE);
                        FloatVector y2 = FloatVector.fromMemorySegment(S, cols, b2 + pb, LE);
                        FloatVector y3 = FloatVector.fromMemorySegment(S, cols, b3 + pb, LE);
                        FloatVector y4 = FloatVector.fromMemorySegment(S, cols, b4 + pb, LE);
                        c00 = x0.fma(y0, c00);
                        c01 = x0.fma(y1, c01);
                        c02 = x0.fma(y2, c02);
                        c03 = x0.fma(y3, c03);
                        c04 = x0.fma(y4, c04);
                        c10 = x1.fma(y0, c10);
                        c11 = x1.fma(y1, c11);
                        c12 = x1.fma(y2, c12);
                        c13 = x1.fma(y3, c13);
                        c14 = x1.fma(y4, c14);
                        c20 = x2.fma(y0, c20);
                        c21 = x2.fma(y1, c21);
                        c22 = x2.fma(y2, c22);
                        c23 = x2.fma(y3, c23);
                        c24 = x2.fma(y4, c24);
                        c30 = x3.fma(y0, c30);
                        c31 = x3.fma(y1, c31);
                        c32 = x3.fma(y2, c32);
                        c33 = x3.fma(y3, c33);
                        c34 = x3.fma(y4, c34);
                    }
                }
                c00.intoMemorySegment(acc, t00, LE);
                c01.intoMemorySegment(acc, t01, LE);
                c02.intoMemorySegment(acc, t02, LE);
                c03.intoMemorySegment(acc, t03, LE);
                c04.intoMemorySegment(acc, t04, LE);
                c10.intoMemorySegment(acc, t10, LE);
                c11.intoMemorySegment(acc, t11, LE);
                c12.intoMemorySegment(acc, t12, LE);
                c13.intoMemorySegment(acc, t13, LE);
                c14.intoMemorySegment(acc, t14, LE);
                c20.intoMemorySegment(acc, t20, LE);
                c21.intoMemorySegment(acc, t21, LE);
                c22.intoMemorySegment(acc, t22, LE);
                c23.intoMemorySegment(acc, t23, LE);
                c24.intoMemorySegment(acc, t24, LE);
                c30.intoMemorySegment(acc, t30, LE);
                c31.intoMemorySegment(acc, t31, LE);
                c32.intoMemorySegment(acc, t32, LE);
                c33.intoMemorySegment(acc, t33, LE);
                c34.intoMemorySegment(acc, t34, LE);
            }
        }
    }

    /** One 3-row × 5-tap register tile per step (15 accumulators, 8 loads per 15 FMAs); see {@link #accumulate}. */
    private static void tiles3x5(MemorySegment dy, long dyOff, long dyStride, int rows, MemorySegment cols, long colsOff,
                                int k, int panels, MemorySegment acc, long accOff) {
        long panelBytes = (long) k * NR * 4, ab = accOff * 4, cb = colsOff * 4;
        for (int r0 = 0; r0 < rows; r0 += 3) {
            int i0 = r0;
            int i1 = Math.min(r0 + 1, rows - 1);
            int i2 = Math.min(r0 + 2, rows - 1);
            long a0 = (dyOff + i0 * dyStride) * 4, s0 = (long) i0 * k;
            long a1 = (dyOff + i1 * dyStride) * 4, s1 = (long) i1 * k;
            long a2 = (dyOff + i2 * dyStride) * 4, s2 = (long) i2 * k;
            for (int n0 = 0; n0 < k; n0 += 5) {
                int n1 = Math.min(n0 + 1, k - 1);
                int n2 = Math.min(n0 + 2, k - 1);
                int n3 = Math.min(n0 + 3, k - 1);
                int n4 = Math.min(n0 + 4, k - 1);
                long b0 = cb + (long) n0 * NR * 4;
                long b1 = cb + (long) n1 * NR * 4;
                long b2 = cb + (long) n2 * NR * 4;
                long b3 = cb + (long) n3 * NR * 4;
                long b4 = cb + (long) n4 * NR * 4;
                long t00 = ab + (s0 + n0) * L * 4;
                long t01 = ab + (s0 + n1) * L * 4;
                long t02 = ab + (s0 + n2) * L * 4;
                long t03 = ab + (s0 + n3) * L * 4;
                long t04 = ab + (s0 + n4) * L * 4;
                long t10 = ab + (s1 + n0) * L * 4;
                long t11 = ab + (s1 + n1) * L * 4;
                long t12 = ab + (s1 + n2) * L * 4;
                long t13 = ab + (s1 + n3) * L * 4;
                long t14 = ab + (s1 + n4) * L * 4;
                long t20 = ab + (s2 + n0) * L * 4;
                long t21 = ab + (s2 + n1) * L * 4;
                long t22 = ab + (s2 + n2) * L * 4;
                long t23 = ab + (s2 + n3) * L * 4;
                long t24 = ab + (s2 + n4) * L * 4;
                FloatVector c00 = FloatVector.fromMemorySegment(S, acc, t00, LE);
                FloatVector c01 = FloatVector.fromMemorySegment(S, acc, t01, LE);
                FloatVector c02 = FloatVector.fromMemorySegment(S, acc, t02, LE);
                FloatVector c03 = FloatVector.fromMemorySegment(S, acc, t03, LE);
                FloatVector c04 = FloatVector.fromMemorySegment(S, acc, t04, LE);
                FloatVector c10 = FloatVector.fromMemorySegment(S, acc, t10, LE);
                FloatVector c11 = FloatVector.fromMemorySegment(S, acc, t11, LE);
                FloatVector c12 = FloatVector.fromMemorySegment(S, acc, t12, LE);
                FloatVector c13 = FloatVector.fromMemorySegment(S, acc, t13, LE);
                FloatVector c14 = FloatVector.fromMemorySegment(S, acc, t14, LE);
                FloatVector c20 = FloatVector.fromMemorySegment(S, acc, t20, LE);
                FloatVector c21 = FloatVector.fromMemorySegment(S, acc, t21, LE);
                FloatVector c22 = FloatVector.fromMemorySegment(S, acc, t22, LE);
                FloatVector c23 = FloatVector.fromMemorySegment(S, acc, t23, LE);
                FloatVector c24 = FloatVector.fromMemorySegment(S, acc, t24, LE);
                for (int q = 0; q < panels; q++) {
                    long panel = q * panelBytes;
                    for (int v = 0; v < NR; v += L) {
                        long p = ((long) q * NR + v) * 4, pb = panel + (long) v * 4;
                        FloatVector x0 = FloatVector.fromMemorySegment(S, dy, a0 + p, LE);
                        FloatVector x1 = FloatVector.fromMemorySegment(S, dy, a1 + p, LE);
                        FloatVector x2 = FloatVector.fromMemorySegment(S, dy, a2 + p, LE);
                        FloatVector y0 = FloatVector.fromMemorySegment(S, cols, b0 + pb, LE);
                        FloatVector y1 = FloatVector.fromMemorySegment(S, cols, b1 + pb, LE);
                        FloatVector y2 = FloatVector.fromMemorySegment(S, cols, b2 + pb, LE);
                        FloatVector y3 = FloatVector.fromMemorySegment(S, cols, b3 + pb, LE);
                        FloatVector y4 = FloatVector.fromMemorySegment(S, cols, b4 + pb, LE);
                        c00 = x0.fma(y0, c00);
                        c01 = x0.fma(y1, c01);
                        c02 = x0.fma(y2, c02);
                        c03 = x0.fma(y3, c03);
                        c04 = x0.fma(y4, c04);
                        c10 = x1.fma(y0, c10);
                        c11 = x1.fma(y1, c11);
                        c12 = x1.fma(y2, c12);
                        c13 = x1.fma(y3, c13);
                        c14 = x1.fma(y4, c14);
                        c20 = x2.fma(y0, c20);
                        c21 = x2.fma(y1, c21);
                        c22 = x2.fma(y2, c22);
                        c23 = x2.fma(y3, c23);
                        c24 = x2.fma(y4, c24);
                    }
                }
                c00.intoMemorySegment(acc, t00, LE);
                c01.intoMemorySegment(acc, t01, LE);
                c02.intoMemorySegment(acc, t02, LE);
                c03.intoMemorySegment(acc, t03, LE);
                c04.intoMemorySegment(acc, t04, LE);
                c10.intoMemorySegment(acc, t10, LE);
                c11.intoMemorySegment(acc, t11, LE);
                c12.intoMemorySegment(acc, t12, LE);
                c13.intoMemorySegment(acc, t13, LE);
                c14.intoMemorySegment(acc, t14, LE);
                c20.intoMemorySegment(acc, t20, LE);
                c21.intoMemorySegment(acc, t21, LE);
                c22.intoMemorySegment(acc, t22, LE);
                c23.intoMemorySegment(acc, t23, LE);
                c24.intoMemorySegment(acc, t24, LE);
            }
        }
    }


    /**
     * {@code acc[r][lane] += Σ_chunks dy[r][chunk]} for the bias gradient, over {@code len} floats
     * per row (a multiple of L, zero-padded).
     */
    static void rowSums(MemorySegment dy, long dyOff, long dyStride, int rows, int len, MemorySegment acc,
                        long accOff) {
        for (int r = 0; r < rows; r++) {
            long a = (dyOff + r * dyStride) * 4, t = (accOff + (long) r * L) * 4;
            FloatVector s0 = FloatVector.fromMemorySegment(S, acc, t, LE), s1 = FloatVector.zero(S);
            int p = 0;
            for (; p + 2 * L <= len; p += 2 * L) {
                s0 = s0.add(FloatVector.fromMemorySegment(S, dy, a + p * 4L, LE));
                s1 = s1.add(FloatVector.fromMemorySegment(S, dy, a + (p + L) * 4L, LE));
            }
            for (; p < len; p += L) s0 = s0.add(FloatVector.fromMemorySegment(S, dy, a + p * 4L, LE));
            s0.add(s1).intoMemorySegment(acc, t, LE);
        }
    }

    /**
     * {@code dst[i] += Σ_lane acc[i][lane]} for {@code count} entries, lanes summed in index order
     * (not {@code reduceLanes}, whose order may differ between compiled and interpreted code).
     */
    static void reduceInto(MemorySegment acc, long accOff, int count, MemorySegment dst, long dstOff) {
        for (int i = 0; i < count; i++) {
            long base = accOff + (long) i * L;
            float s = 0f;
            for (int l = 0; l < L; l++) s += acc.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, base + l);
            long d = dstOff + i;
            dst.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, d,
                    dst.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, d) + s);
        }
    }
}
