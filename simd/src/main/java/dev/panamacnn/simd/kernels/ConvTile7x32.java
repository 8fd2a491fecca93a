package dev.panamacnn.simd.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The micro-kernel of direct convolution with vectors along output channels: 7 output pixels ×
 * 32 output channels (14 accumulators). Per reduction step k = (input channel, kernel row,
 * kernel column) it loads 32 packed weights (2 vectors), broadcasts each pixel's input value
 * straight from the zero-padded input plane at {@code pixelBase + kOffset[k]}, and issues 14
 * FMAs. No im2col: the "A" operand of this implicit GEMM is addressed, never copied.
 *
 * <p>7 because every feature-map width of the torchvision classifiers (224 / 2ⁿ) is a multiple
 * of it, so tiles never straddle rows. Fully unrolled by hand, stores
 * included, for the reasons given in {@code gemm.MicroKernel} (a helper taking the accumulators
 * would box them unless C2 inlines it).
 */
public final class ConvTile7x32 {
    /** Output pixels per tile. */
    public static final int MR = 7;
    /** Output channels per tile (two 16-lane vectors). */
    public static final int NR = 32;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final long VBYTES = S.vectorByteSize();
    private static final int LANES = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ConvTile7x32() {}

    /** Whether this kernel's species runs natively here (it needs 16 float lanes). */
    public static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.length() >= 16;
    }

    /** As {@link #run} for the 7 horizontally adjacent pixels of a stride-1 row starting at {@code p}. */
    public static void runStride1(MemorySegment in, long p, int[] kOffset, MemorySegment w, long wOff,
                                  float[] tile, int tOff) {
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
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + VBYTES, NATIVE);
            FloatVector a;
            a = FloatVector.broadcast(S, in.get(FLOAT, q));
            c00 = a.fma(w0, c00); c01 = a.fma(w1, c01);
            a = FloatVector.broadcast(S, in.get(FLOAT, q + 4));
            c10 = a.fma(w0, c10); c11 = a.fma(w1, c11);
            a = FloatVector.broadcast(S, in.get(FLOAT, q + 2 * 4));
            c20 = a.fma(w0, c20); c21 = a.fma(w1, c21);
            a = FloatVector.broadcast(S, in.get(FLOAT, q + 3 * 4));
            c30 = a.fma(w0, c30); c31 = a.fma(w1, c31);
            a = FloatVector.broadcast(S, in.get(FLOAT, q + 4 * 4));
            c40 = a.fma(w0, c40); c41 = a.fma(w1, c41);
            a = FloatVector.broadcast(S, in.get(FLOAT, q + 5 * 4));
            c50 = a.fma(w0, c50); c51 = a.fma(w1, c51);
            a = FloatVector.broadcast(S, in.get(FLOAT, q + 6 * 4));
            c60 = a.fma(w0, c60); c61 = a.fma(w1, c61);
            wp += 2 * VBYTES;
        }
        int row = NR;
        c00.intoArray(tile, tOff); c01.intoArray(tile, tOff + LANES);
        c10.intoArray(tile, tOff + row); c11.intoArray(tile, tOff + row + LANES);
        c20.intoArray(tile, tOff + 2 * row); c21.intoArray(tile, tOff + 2 * row + LANES);
        c30.intoArray(tile, tOff + 3 * row); c31.intoArray(tile, tOff + 3 * row + LANES);
        c40.intoArray(tile, tOff + 4 * row); c41.intoArray(tile, tOff + 4 * row + LANES);
        c50.intoArray(tile, tOff + 5 * row); c51.intoArray(tile, tOff + 5 * row + LANES);
        c60.intoArray(tile, tOff + 6 * row); c61.intoArray(tile, tOff + 6 * row + LANES);
    }

    /** As {@link #run} for the 7 horizontally adjacent pixels of a stride-2 row starting at {@code p}. */
    public static void runStride2(MemorySegment in, long p, int[] kOffset, MemorySegment w, long wOff,
                                  float[] tile, int tOff) {
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
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + VBYTES, NATIVE);
            FloatVector a;
            a = FloatVector.broadcast(S, in.get(FLOAT, q));
            c00 = a.fma(w0, c00); c01 = a.fma(w1, c01);
            a = FloatVector.broadcast(S, in.get(FLOAT, q + 8));
            c10 = a.fma(w0, c10); c11 = a.fma(w1, c11);
            a = FloatVector.broadcast(S, in.get(FLOAT, q + 2 * 8));
            c20 = a.fma(w0, c20); c21 = a.fma(w1, c21);
            a = FloatVector.broadcast(S, in.get(FLOAT, q + 3 * 8));
            c30 = a.fma(w0, c30); c31 = a.fma(w1, c31);
            a = FloatVector.broadcast(S, in.get(FLOAT, q + 4 * 8));
            c40 = a.fma(w0, c40); c41 = a.fma(w1, c41);
            a = FloatVector.broadcast(S, in.get(FLOAT, q + 5 * 8));
            c50 = a.fma(w0, c50); c51 = a.fma(w1, c51);
            a = FloatVector.broadcast(S, in.get(FLOAT, q + 6 * 8));
            c60 = a.fma(w0, c60); c61 = a.fma(w1, c61);
            wp += 2 * VBYTES;
        }
        int row = NR;
        c00.intoArray(tile, tOff); c01.intoArray(tile, tOff + LANES);
        c10.intoArray(tile, tOff + row); c11.intoArray(tile, tOff + row + LANES);
        c20.intoArray(tile, tOff + 2 * row); c21.intoArray(tile, tOff + 2 * row + LANES);
        c30.intoArray(tile, tOff + 3 * row); c31.intoArray(tile, tOff + 3 * row + LANES);
        c40.intoArray(tile, tOff + 4 * row); c41.intoArray(tile, tOff + 4 * row + LANES);
        c50.intoArray(tile, tOff + 5 * row); c51.intoArray(tile, tOff + 5 * row + LANES);
        c60.intoArray(tile, tOff + 6 * row); c61.intoArray(tile, tOff + 6 * row + LANES);
    }

    /**
     * tile[i·32 + j] = Σ_k in[p_i + kOffset[k]] · w[k·32 + j] for the 7 pixel byte offsets p_i.
     *
     * @param kOffset byte offset of each reduction step from a pixel's base in {@code in}
     * @param w packed weights, {@code kOffset.length} rows of 32 floats from {@code wOff}
     * @param tile receives the 7 × 32 results, pixel-major, from {@code tOff}
     */
    public static void run(MemorySegment in, long p0, long p1, long p2, long p3, long p4, long p5, long p6,
                           int[] kOffset, MemorySegment w, long wOff, float[] tile, int tOff) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
        long wp = wOff;
        for (int k = 0; k < kOffset.length; k++) {
            long o = kOffset[k];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + VBYTES, NATIVE);
            FloatVector a;
            a = FloatVector.broadcast(S, in.get(FLOAT, p0 + o));
            c00 = a.fma(w0, c00); c01 = a.fma(w1, c01);
            a = FloatVector.broadcast(S, in.get(FLOAT, p1 + o));
            c10 = a.fma(w0, c10); c11 = a.fma(w1, c11);
            a = FloatVector.broadcast(S, in.get(FLOAT, p2 + o));
            c20 = a.fma(w0, c20); c21 = a.fma(w1, c21);
            a = FloatVector.broadcast(S, in.get(FLOAT, p3 + o));
            c30 = a.fma(w0, c30); c31 = a.fma(w1, c31);
            a = FloatVector.broadcast(S, in.get(FLOAT, p4 + o));
            c40 = a.fma(w0, c40); c41 = a.fma(w1, c41);
            a = FloatVector.broadcast(S, in.get(FLOAT, p5 + o));
            c50 = a.fma(w0, c50); c51 = a.fma(w1, c51);
            a = FloatVector.broadcast(S, in.get(FLOAT, p6 + o));
            c60 = a.fma(w0, c60); c61 = a.fma(w1, c61);
            wp += 2 * VBYTES;
        }
        int row = NR;
        c00.intoArray(tile, tOff); c01.intoArray(tile, tOff + LANES);
        c10.intoArray(tile, tOff + row); c11.intoArray(tile, tOff + row + LANES);
        c20.intoArray(tile, tOff + 2 * row); c21.intoArray(tile, tOff + 2 * row + LANES);
        c30.intoArray(tile, tOff + 3 * row); c31.intoArray(tile, tOff + 3 * row + LANES);
        c40.intoArray(tile, tOff + 4 * row); c41.intoArray(tile, tOff + 4 * row + LANES);
        c50.intoArray(tile, tOff + 5 * row); c51.intoArray(tile, tOff + 5 * row + LANES);
        c60.intoArray(tile, tOff + 6 * row); c61.intoArray(tile, tOff + 6 * row + LANES);
    }
}
