package dev.panamacnn.simd.kernels;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The transforms of Winograd's F(2×2, 3×3) on blocked tensors (NCHW16c), one 16-channel vector
 * per pixel: a 3×3 stride-1 convolution computes each 2×2 block of outputs from a 4×4 block of
 * inputs with 16 multiplies per channel pair instead of 36.
 *
 * <pre>
 *   V = Bᵀ d B   (input tile d, 4×4)      Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
 *   U = G g Gᵀ   (kernel g, 3×3)          G  = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
 *   M = Σ_ci U ⊙ V (16 GEMMs over input channels, one per position of the 4×4 tile)
 *   Y = Aᵀ M A   (output tile, 2×2)       Aᵀ = [1 1 1 0; 0 1 −1 −1]
 * </pre>
 *
 * The input and output transforms are here, straight-line code per tile (vectors never cross a
 * call or a loop); the weights' transform is scalar, at compile time ({@link #kernel}). Offsets
 * are in bytes; the 16 transformed vectors of a tile are {@code stride} bytes apart.
 */
public final class WinogradF2x3 {
    private static final VectorSpecies<Float> S = Vec.F;
    private static final ByteOrder NATIVE = Vec.ORDER;
    private static final long PIXEL = 64;

    private WinogradF2x3() {}

    /** Whether these kernels run natively here (they need 16 float lanes). */
    public static boolean supported() {
        return S.length() == 16;
    }

    /**
     * U = G g Gᵀ for one 3×3 kernel {@code g} (row-major, from {@code at}) into {@code u}
     * (16 values, row-major over the 4×4 tile).
     */
    public static void kernel(float[] g, int at, float[] u) {
        for (int c = 0; c < 3; c++) { // G g, a column at a time, into the first three columns of u
            float g0 = g[at + c], g1 = g[at + 3 + c], g2 = g[at + 6 + c];
            u[c] = g0;
            u[4 + c] = 0.5f * (g0 + g1 + g2);
            u[8 + c] = 0.5f * (g0 - g1 + g2);
            u[12 + c] = g2;
        }
        for (int r = 0; r < 4; r++) { // (G g) Gᵀ, a row at a time, in place
            float a = u[4 * r], b = u[4 * r + 1], c = u[4 * r + 2];
            u[4 * r + 1] = 0.5f * (a + b + c);
            u[4 * r + 2] = 0.5f * (a - b + c);
            u[4 * r + 3] = c;
        }
    }

    /**
     * V = Bᵀ d B of the 4×4 input pixels from {@code at} (rows {@code rowBytes} apart) into
     * {@code v} at {@code vAt}, position ξ = 4·row + column at {@code vAt + ξ·stride}.
     */
    public static void input(MemorySegment ws, long at, long rowBytes, MemorySegment v, long vAt, long stride) {
        long a1 = at + rowBytes, a2 = a1 + rowBytes, a3 = a2 + rowBytes;
        FloatVector d00 = FloatVector.fromMemorySegment(S, ws, at, NATIVE);
        FloatVector d01 = FloatVector.fromMemorySegment(S, ws, at + PIXEL, NATIVE);
        FloatVector d02 = FloatVector.fromMemorySegment(S, ws, at + 2 * PIXEL, NATIVE);
        FloatVector d03 = FloatVector.fromMemorySegment(S, ws, at + 3 * PIXEL, NATIVE);
        FloatVector d10 = FloatVector.fromMemorySegment(S, ws, a1, NATIVE);
        FloatVector d11 = FloatVector.fromMemorySegment(S, ws, a1 + PIXEL, NATIVE);
        FloatVector d12 = FloatVector.fromMemorySegment(S, ws, a1 + 2 * PIXEL, NATIVE);
        FloatVector d13 = FloatVector.fromMemorySegment(S, ws, a1 + 3 * PIXEL, NATIVE);
        FloatVector d20 = FloatVector.fromMemorySegment(S, ws, a2, NATIVE);
        FloatVector d21 = FloatVector.fromMemorySegment(S, ws, a2 + PIXEL, NATIVE);
        FloatVector d22 = FloatVector.fromMemorySegment(S, ws, a2 + 2 * PIXEL, NATIVE);
        FloatVector d23 = FloatVector.fromMemorySegment(S, ws, a2 + 3 * PIXEL, NATIVE);
        FloatVector d30 = FloatVector.fromMemorySegment(S, ws, a3, NATIVE);
        FloatVector d31 = FloatVector.fromMemorySegment(S, ws, a3 + PIXEL, NATIVE);
        FloatVector d32 = FloatVector.fromMemorySegment(S, ws, a3 + 2 * PIXEL, NATIVE);
        FloatVector d33 = FloatVector.fromMemorySegment(S, ws, a3 + 3 * PIXEL, NATIVE);
        // Bᵀ d, a column at a time.
        FloatVector t00 = d00.sub(d20), t01 = d01.sub(d21), t02 = d02.sub(d22), t03 = d03.sub(d23);
        FloatVector t10 = d10.add(d20), t11 = d11.add(d21), t12 = d12.add(d22), t13 = d13.add(d23);
        FloatVector t20 = d20.sub(d10), t21 = d21.sub(d11), t22 = d22.sub(d12), t23 = d23.sub(d13);
        FloatVector t30 = d10.sub(d30), t31 = d11.sub(d31), t32 = d12.sub(d32), t33 = d13.sub(d33);
        // (Bᵀ d) B, a row at a time.
        t00.sub(t02).intoMemorySegment(v, vAt, NATIVE);
        t01.add(t02).intoMemorySegment(v, vAt + stride, NATIVE);
        t02.sub(t01).intoMemorySegment(v, vAt + 2 * stride, NATIVE);
        t01.sub(t03).intoMemorySegment(v, vAt + 3 * stride, NATIVE);
        t10.sub(t12).intoMemorySegment(v, vAt + 4 * stride, NATIVE);
        t11.add(t12).intoMemorySegment(v, vAt + 5 * stride, NATIVE);
        t12.sub(t11).intoMemorySegment(v, vAt + 6 * stride, NATIVE);
        t11.sub(t13).intoMemorySegment(v, vAt + 7 * stride, NATIVE);
        t20.sub(t22).intoMemorySegment(v, vAt + 8 * stride, NATIVE);
        t21.add(t22).intoMemorySegment(v, vAt + 9 * stride, NATIVE);
        t22.sub(t21).intoMemorySegment(v, vAt + 10 * stride, NATIVE);
        t21.sub(t23).intoMemorySegment(v, vAt + 11 * stride, NATIVE);
        t30.sub(t32).intoMemorySegment(v, vAt + 12 * stride, NATIVE);
        t31.add(t32).intoMemorySegment(v, vAt + 13 * stride, NATIVE);
        t32.sub(t31).intoMemorySegment(v, vAt + 14 * stride, NATIVE);
        t31.sub(t33).intoMemorySegment(v, vAt + 15 * stride, NATIVE);
    }

    /**
     * Y = Aᵀ M A of the 16 vectors at {@code mAt} ({@code stride} apart) plus {@code bias},
     * clamped to [lo, hi], to the 2×2 output pixels from {@code o} (rows {@code rowBytes} apart).
     */
    public static void output(MemorySegment m, long mAt, long stride, MemorySegment bias, long bOff,
                              MemorySegment out, long o, long rowBytes, float lo, float hi) {
        FloatVector m00 = FloatVector.fromMemorySegment(S, m, mAt, NATIVE);
        FloatVector m01 = FloatVector.fromMemorySegment(S, m, mAt + stride, NATIVE);
        FloatVector m02 = FloatVector.fromMemorySegment(S, m, mAt + 2 * stride, NATIVE);
        FloatVector m03 = FloatVector.fromMemorySegment(S, m, mAt + 3 * stride, NATIVE);
        FloatVector m10 = FloatVector.fromMemorySegment(S, m, mAt + 4 * stride, NATIVE);
        FloatVector m11 = FloatVector.fromMemorySegment(S, m, mAt + 5 * stride, NATIVE);
        FloatVector m12 = FloatVector.fromMemorySegment(S, m, mAt + 6 * stride, NATIVE);
        FloatVector m13 = FloatVector.fromMemorySegment(S, m, mAt + 7 * stride, NATIVE);
        FloatVector m20 = FloatVector.fromMemorySegment(S, m, mAt + 8 * stride, NATIVE);
        FloatVector m21 = FloatVector.fromMemorySegment(S, m, mAt + 9 * stride, NATIVE);
        FloatVector m22 = FloatVector.fromMemorySegment(S, m, mAt + 10 * stride, NATIVE);
        FloatVector m23 = FloatVector.fromMemorySegment(S, m, mAt + 11 * stride, NATIVE);
        FloatVector m30 = FloatVector.fromMemorySegment(S, m, mAt + 12 * stride, NATIVE);
        FloatVector m31 = FloatVector.fromMemorySegment(S, m, mAt + 13 * stride, NATIVE);
        FloatVector m32 = FloatVector.fromMemorySegment(S, m, mAt + 14 * stride, NATIVE);
        FloatVector m33 = FloatVector.fromMemorySegment(S, m, mAt + 15 * stride, NATIVE);
        FloatVector b = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
        // Aᵀ M, a column at a time.
        FloatVector s00 = m00.add(m10).add(m20), s01 = m01.add(m11).add(m21);
        FloatVector s02 = m02.add(m12).add(m22), s03 = m03.add(m13).add(m23);
        FloatVector s10 = m10.sub(m20).sub(m30), s11 = m11.sub(m21).sub(m31);
        FloatVector s12 = m12.sub(m22).sub(m32), s13 = m13.sub(m23).sub(m33);
        // (Aᵀ M) A, plus bias, clamped.
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        FloatVector y = s00.add(s01).add(s02).add(b);
        y = y.blend(vlo, y.compare(LE, vlo));
        y.blend(vhi, y.compare(GE, vhi)).intoMemorySegment(out, o, NATIVE);
        y = s01.sub(s02).sub(s03).add(b);
        y = y.blend(vlo, y.compare(LE, vlo));
        y.blend(vhi, y.compare(GE, vhi)).intoMemorySegment(out, o + PIXEL, NATIVE);
        y = s10.add(s11).add(s12).add(b);
        y = y.blend(vlo, y.compare(LE, vlo));
        y.blend(vhi, y.compare(GE, vhi)).intoMemorySegment(out, o + rowBytes, NATIVE);
        y = s11.sub(s12).sub(s13).add(b);
        y = y.blend(vlo, y.compare(LE, vlo));
        y.blend(vhi, y.compare(GE, vhi)).intoMemorySegment(out, o + rowBytes + PIXEL, NATIVE);
    }

    /**
     * As {@link #output}, adding the residual at {@code r} in {@code out} (laid out as the output)
     * before the clamp. A method of its own, not a flag: a vector chosen by a branch was
     * materialised (see {@link Vec}).
     */
    public static void outputResidual(MemorySegment m, long mAt, long stride, MemorySegment bias, long bOff,
                                      MemorySegment out, long o, long r, long rowBytes, float lo, float hi) {
        FloatVector m00 = FloatVector.fromMemorySegment(S, m, mAt, NATIVE);
        FloatVector m01 = FloatVector.fromMemorySegment(S, m, mAt + stride, NATIVE);
        FloatVector m02 = FloatVector.fromMemorySegment(S, m, mAt + 2 * stride, NATIVE);
        FloatVector m03 = FloatVector.fromMemorySegment(S, m, mAt + 3 * stride, NATIVE);
        FloatVector m10 = FloatVector.fromMemorySegment(S, m, mAt + 4 * stride, NATIVE);
        FloatVector m11 = FloatVector.fromMemorySegment(S, m, mAt + 5 * stride, NATIVE);
        FloatVector m12 = FloatVector.fromMemorySegment(S, m, mAt + 6 * stride, NATIVE);
        FloatVector m13 = FloatVector.fromMemorySegment(S, m, mAt + 7 * stride, NATIVE);
        FloatVector m20 = FloatVector.fromMemorySegment(S, m, mAt + 8 * stride, NATIVE);
        FloatVector m21 = FloatVector.fromMemorySegment(S, m, mAt + 9 * stride, NATIVE);
        FloatVector m22 = FloatVector.fromMemorySegment(S, m, mAt + 10 * stride, NATIVE);
        FloatVector m23 = FloatVector.fromMemorySegment(S, m, mAt + 11 * stride, NATIVE);
        FloatVector m30 = FloatVector.fromMemorySegment(S, m, mAt + 12 * stride, NATIVE);
        FloatVector m31 = FloatVector.fromMemorySegment(S, m, mAt + 13 * stride, NATIVE);
        FloatVector m32 = FloatVector.fromMemorySegment(S, m, mAt + 14 * stride, NATIVE);
        FloatVector m33 = FloatVector.fromMemorySegment(S, m, mAt + 15 * stride, NATIVE);
        FloatVector b = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
        FloatVector s00 = m00.add(m10).add(m20), s01 = m01.add(m11).add(m21);
        FloatVector s02 = m02.add(m12).add(m22), s03 = m03.add(m13).add(m23);
        FloatVector s10 = m10.sub(m20).sub(m30), s11 = m11.sub(m21).sub(m31);
        FloatVector s12 = m12.sub(m22).sub(m32), s13 = m13.sub(m23).sub(m33);
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        FloatVector y = s00.add(s01).add(s02).add(b).add(FloatVector.fromMemorySegment(S, out, r, NATIVE));
        y = y.blend(vlo, y.compare(LE, vlo));
        y.blend(vhi, y.compare(GE, vhi)).intoMemorySegment(out, o, NATIVE);
        y = s01.sub(s02).sub(s03).add(b).add(FloatVector.fromMemorySegment(S, out, r + PIXEL, NATIVE));
        y = y.blend(vlo, y.compare(LE, vlo));
        y.blend(vhi, y.compare(GE, vhi)).intoMemorySegment(out, o + PIXEL, NATIVE);
        y = s10.add(s11).add(s12).add(b).add(FloatVector.fromMemorySegment(S, out, r + rowBytes, NATIVE));
        y = y.blend(vlo, y.compare(LE, vlo));
        y.blend(vhi, y.compare(GE, vhi)).intoMemorySegment(out, o + rowBytes, NATIVE);
        y = s11.sub(s12).sub(s13).add(b).add(FloatVector.fromMemorySegment(S, out, r + rowBytes + PIXEL, NATIVE));
        y = y.blend(vlo, y.compare(LE, vlo));
        y.blend(vhi, y.compare(GE, vhi)).intoMemorySegment(out, o + rowBytes + PIXEL, NATIVE);
    }
}
