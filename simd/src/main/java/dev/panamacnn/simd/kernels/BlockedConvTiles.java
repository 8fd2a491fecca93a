package dev.panamacnn.simd.kernels;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Micro-kernels of direct convolution into a blocked output (NCHW16c, see
 * {@code core.plan.ChannelLayout}): up to 7 output pixels × 32 (or 16) output channels, 14 (7)
 * accumulators. Per reduction step k — one (input channel, kernel row, kernel column) — they load
 * the step's packed weights (one vector per output block), broadcast each pixel's input value
 * from {@code in} at its pixel base + {@code kOffset[k]}, and issue one FMA per accumulator.
 * Input layout and padding live entirely in {@code kOffset} and {@code step}, so the same code
 * reads an NCHW image, a blocked tensor in place, or a zero-padded copy of either.
 *
 * <p>The raw sums go to a heap tile, pixel-major; {@link #epilogue} then adds bias and residual,
 * clamps, and writes a whole row of tiles to the blocked output. These serve what {@link
 * FusedConvTiles} (whole tiles that finish their outputs in registers) does not: short tiles,
 * 16-channel panels, residual layers with a two-sided clamp. A fused tile with the residual and
 * both clamps inside is too big for C1 (see {@link FusedConvTiles}); an earlier fused attempt,
 * before the process had a single vector species (see {@link Vec}), compiled boxed inside the
 * test suite. Only the first {@code count} pixels are stored;
 * the others repeat the last pixel's address, so a short tile never reads past its input.
 * Generated-style code, fully unrolled by hand for the reasons in {@code gemm.MicroKernel}
 * (a helper taking the accumulators would box them); clamps are blends (see {@link Vec}).
 */
public final class BlockedConvTiles {
    /** Output pixels per tile. */
    public static final int PIXELS = 7;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final long VBYTES = S.vectorByteSize();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private BlockedConvTiles() {}

    /** Whether these kernels run natively here (they need 16 float lanes). */
    public static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.length() == 16;
    }

    /**
     * Pixels i &lt; {@code count} (≤ 7) at input byte offsets {@code p + i·step}, two output
     * blocks: weights are {@code kOffset.length} rows of 32 floats from byte {@code wOff}; raw
     * sums to {@code tile} from {@code t}, 32 floats per pixel. Offsets are in bytes.
     */
    public static void tile7x32(MemorySegment in, long p, long step, int[] kOffset, MemorySegment w, long wOff,
                                 float[] tile, int t, int count) {
        long p0 = p + Math.min(0, count - 1) * step;
        long p1 = p + Math.min(1, count - 1) * step;
        long p2 = p + Math.min(2, count - 1) * step;
        long p3 = p + Math.min(3, count - 1) * step;
        long p4 = p + Math.min(4, count - 1) * step;
        long p5 = p + Math.min(5, count - 1) * step;
        long p6 = p + Math.min(6, count - 1) * step;
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
        long wp = wOff;
        for (int k = 0; k < kOffset.length; k++) {
            long q = kOffset[k];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + 1 * VBYTES, NATIVE);
            FloatVector x;
            x = FloatVector.broadcast(S, in.get(FLOAT, p0 + q));
            c00 = x.fma(w0, c00); c01 = x.fma(w1, c01);
            x = FloatVector.broadcast(S, in.get(FLOAT, p1 + q));
            c10 = x.fma(w0, c10); c11 = x.fma(w1, c11);
            x = FloatVector.broadcast(S, in.get(FLOAT, p2 + q));
            c20 = x.fma(w0, c20); c21 = x.fma(w1, c21);
            x = FloatVector.broadcast(S, in.get(FLOAT, p3 + q));
            c30 = x.fma(w0, c30); c31 = x.fma(w1, c31);
            x = FloatVector.broadcast(S, in.get(FLOAT, p4 + q));
            c40 = x.fma(w0, c40); c41 = x.fma(w1, c41);
            x = FloatVector.broadcast(S, in.get(FLOAT, p5 + q));
            c50 = x.fma(w0, c50); c51 = x.fma(w1, c51);
            x = FloatVector.broadcast(S, in.get(FLOAT, p6 + q));
            c60 = x.fma(w0, c60); c61 = x.fma(w1, c61);
            wp += 2 * VBYTES;
        }
        c00.intoArray(tile, t + 0);
        c01.intoArray(tile, t + 16);
        if (count > 1) {
            c10.intoArray(tile, t + 32);
            c11.intoArray(tile, t + 48);
        }
        if (count > 2) {
            c20.intoArray(tile, t + 64);
            c21.intoArray(tile, t + 80);
        }
        if (count > 3) {
            c30.intoArray(tile, t + 96);
            c31.intoArray(tile, t + 112);
        }
        if (count > 4) {
            c40.intoArray(tile, t + 128);
            c41.intoArray(tile, t + 144);
        }
        if (count > 5) {
            c50.intoArray(tile, t + 160);
            c51.intoArray(tile, t + 176);
        }
        if (count > 6) {
            c60.intoArray(tile, t + 192);
            c61.intoArray(tile, t + 208);
        }
    }

    /** As {@link #tile7x32} for one block of 16 output channels (weights in rows of 16). */
    public static void tile7x16(MemorySegment in, long p, long step, int[] kOffset, MemorySegment w, long wOff,
                                 float[] tile, int t, int count) {
        long p0 = p + Math.min(0, count - 1) * step;
        long p1 = p + Math.min(1, count - 1) * step;
        long p2 = p + Math.min(2, count - 1) * step;
        long p3 = p + Math.min(3, count - 1) * step;
        long p4 = p + Math.min(4, count - 1) * step;
        long p5 = p + Math.min(5, count - 1) * step;
        long p6 = p + Math.min(6, count - 1) * step;
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        long wp = wOff;
        for (int k = 0; k < kOffset.length; k++) {
            long q = kOffset[k];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
            FloatVector x;
            x = FloatVector.broadcast(S, in.get(FLOAT, p0 + q));
            c00 = x.fma(w0, c00);
            x = FloatVector.broadcast(S, in.get(FLOAT, p1 + q));
            c10 = x.fma(w0, c10);
            x = FloatVector.broadcast(S, in.get(FLOAT, p2 + q));
            c20 = x.fma(w0, c20);
            x = FloatVector.broadcast(S, in.get(FLOAT, p3 + q));
            c30 = x.fma(w0, c30);
            x = FloatVector.broadcast(S, in.get(FLOAT, p4 + q));
            c40 = x.fma(w0, c40);
            x = FloatVector.broadcast(S, in.get(FLOAT, p5 + q));
            c50 = x.fma(w0, c50);
            x = FloatVector.broadcast(S, in.get(FLOAT, p6 + q));
            c60 = x.fma(w0, c60);
            wp += 1 * VBYTES;
        }
        c00.intoArray(tile, t + 0);
        if (count > 1) {
            c10.intoArray(tile, t + 16);
        }
        if (count > 2) {
            c20.intoArray(tile, t + 32);
        }
        if (count > 3) {
            c30.intoArray(tile, t + 48);
        }
        if (count > 4) {
            c40.intoArray(tile, t + 64);
        }
        if (count > 5) {
            c50.intoArray(tile, t + 80);
        }
        if (count > 6) {
            c60.intoArray(tile, t + 96);
        }
    }

    /** As {@link #tile7x32} for 7 pixels 64 bytes apart, addressed as constant displacements from one base. */
    public static void tile7x32Step64(MemorySegment in, long p, int[] kOffset, MemorySegment w, long wOff,
                                 float[] tile, int t) {
        int count = 7;
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
        long wp = wOff;
        for (int k = 0; k < kOffset.length; k++) {
            long q = p + kOffset[k];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + 1 * VBYTES, NATIVE);
            FloatVector x;
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 0));
            c00 = x.fma(w0, c00); c01 = x.fma(w1, c01);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 64));
            c10 = x.fma(w0, c10); c11 = x.fma(w1, c11);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 128));
            c20 = x.fma(w0, c20); c21 = x.fma(w1, c21);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 192));
            c30 = x.fma(w0, c30); c31 = x.fma(w1, c31);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 256));
            c40 = x.fma(w0, c40); c41 = x.fma(w1, c41);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 320));
            c50 = x.fma(w0, c50); c51 = x.fma(w1, c51);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 384));
            c60 = x.fma(w0, c60); c61 = x.fma(w1, c61);
            wp += 2 * VBYTES;
        }
        c00.intoArray(tile, t + 0);
        c01.intoArray(tile, t + 16);
        if (count > 1) {
            c10.intoArray(tile, t + 32);
            c11.intoArray(tile, t + 48);
        }
        if (count > 2) {
            c20.intoArray(tile, t + 64);
            c21.intoArray(tile, t + 80);
        }
        if (count > 3) {
            c30.intoArray(tile, t + 96);
            c31.intoArray(tile, t + 112);
        }
        if (count > 4) {
            c40.intoArray(tile, t + 128);
            c41.intoArray(tile, t + 144);
        }
        if (count > 5) {
            c50.intoArray(tile, t + 160);
            c51.intoArray(tile, t + 176);
        }
        if (count > 6) {
            c60.intoArray(tile, t + 192);
            c61.intoArray(tile, t + 208);
        }
    }

    /**
     * As {@link #tile7x32Step64} for the flat pixels of a 1×1 stride-1 convolution. The same code
     * under its own name: shared with 3×3 layers, whose reductions are 10–100× longer, the one
     * method was recompiled by C2 inside the test suite with its vector operations left as
     * calls (seen with JFR); separate methods keep separate profiles.
     */
    public static void tile7x32Flat(MemorySegment in, long p, int[] kOffset, MemorySegment w, long wOff,
                                 float[] tile, int t) {
        int count = 7;
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
        long wp = wOff;
        for (int k = 0; k < kOffset.length; k++) {
            long q = p + kOffset[k];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + 1 * VBYTES, NATIVE);
            FloatVector x;
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 0));
            c00 = x.fma(w0, c00); c01 = x.fma(w1, c01);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 64));
            c10 = x.fma(w0, c10); c11 = x.fma(w1, c11);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 128));
            c20 = x.fma(w0, c20); c21 = x.fma(w1, c21);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 192));
            c30 = x.fma(w0, c30); c31 = x.fma(w1, c31);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 256));
            c40 = x.fma(w0, c40); c41 = x.fma(w1, c41);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 320));
            c50 = x.fma(w0, c50); c51 = x.fma(w1, c51);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 384));
            c60 = x.fma(w0, c60); c61 = x.fma(w1, c61);
            wp += 2 * VBYTES;
        }
        c00.intoArray(tile, t + 0);
        c01.intoArray(tile, t + 16);
        if (count > 1) {
            c10.intoArray(tile, t + 32);
            c11.intoArray(tile, t + 48);
        }
        if (count > 2) {
            c20.intoArray(tile, t + 64);
            c21.intoArray(tile, t + 80);
        }
        if (count > 3) {
            c30.intoArray(tile, t + 96);
            c31.intoArray(tile, t + 112);
        }
        if (count > 4) {
            c40.intoArray(tile, t + 128);
            c41.intoArray(tile, t + 144);
        }
        if (count > 5) {
            c50.intoArray(tile, t + 160);
            c51.intoArray(tile, t + 176);
        }
        if (count > 6) {
            c60.intoArray(tile, t + 192);
            c61.intoArray(tile, t + 208);
        }
    }

    /**
     * Writes {@code count} pixels of raw sums from {@code tile} (pixel-major, {@code 16·blocks}
     * floats per pixel, as the tiles store them) to {@code blocks} output blocks at {@code o} in
     * {@code ws}, adding bias (from {@code bOff}) and residual (at {@code r}; none when negative)
     * and clamping on the way.
     */
    public static void epilogue(float[] tile, MemorySegment ws, long o, long r, long blockBytes, MemorySegment bias,
                                long bOff, int count, int blocks, float lo, float hi) {
        for (int j = 0; j < blocks; j++) {
            long at = o + j * blockBytes, bj = bOff + j * VBYTES;
            if (r >= 0) epilogueWithResidual(tile, j * 16, blocks * 16, ws, at, r + j * blockBytes, bias, bj, count, lo, hi);
            else epilogue(tile, j * 16, blocks * 16, ws, at, bias, bj, count, lo, hi);
        }
    }

    // With and without a residual as separate loops: a vector merged from two branches was
    // materialised (see Vec).

    private static void epilogue(float[] tile, int t, int pitch, MemorySegment ws, long at, MemorySegment bias, long bOff,
                                 int count, float lo, float hi) {
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        FloatVector b = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
        for (int i = 0; i < count; i++, at += VBYTES, t += pitch) {
            FloatVector v = FloatVector.fromArray(S, tile, t).add(b);
            v = v.blend(vlo, v.compare(LE, vlo));
            v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(ws, at, NATIVE);
        }
    }

    private static void epilogueWithResidual(float[] tile, int t, int pitch, MemorySegment ws, long at, long res,
                                             MemorySegment bias, long bOff, int count, float lo, float hi) {
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        FloatVector b = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
        for (int i = 0; i < count; i++, at += VBYTES, res += VBYTES, t += pitch) {
            FloatVector v = FloatVector.fromArray(S, tile, t).add(b).add(FloatVector.fromMemorySegment(S, ws, res, NATIVE));
            v = v.blend(vlo, v.compare(LE, vlo));
            v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(ws, at, NATIVE);
        }
    }
}
