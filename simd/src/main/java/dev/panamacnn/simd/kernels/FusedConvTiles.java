package dev.panamacnn.simd.kernels;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Whole tiles of direct convolution into a blocked output (NCHW16c) that finish their own
 * outputs: 7 output pixels × 32 output channels (two blocks, 14 accumulators; one block for a
 * 1×1 layer's 16-channel panel), the accumulators starting from the bias and ending clamped and
 * stored straight into the output. The reduction is the one {@link BlockedConvTiles} documents;
 * what differs is that no raw sum makes a round trip through a heap tile and a separate
 * epilogue, which cost a 1×1 layer with 16 inputs about a fifth of its time (measured in
 * isolation: 38.6 against 30.2 µs).
 *
 * <p>A residual is added only by {@link #step64ResidualFloor}, for layers clamped from below
 * only (ReLU); other layers with a residual, partial tiles and the other 16-channel panels stay
 * with {@link BlockedConvTiles}. The residual's 14 vector loads next to a two-sided clamp made a
 * tile too big for C1: its tier-3 compile failed ("out of virtual registers in linear scan"),
 * the method stayed in tier-2 code with every vector boxed and the model ran 60× slower. Each
 * vector operation on a segment also costs C2 400–600 nodes of its inlining budget (see {@link
 * Vec}).
 *
 * <p>One method per pixel step, the 7 pixels as constant displacements from one base (as in
 * {@link BlockedConvTiles}); the 1×1 stride-1 layers have their own copy so that C2 profiles
 * them apart from the 3×3 layers, whose reductions are 10–100× longer. Fully unrolled for the
 * reasons in {@code gemm.MicroKernel}, and generated: edit {@code
 * tools/codegen/fused_conv_tiles.py}, not this file. Clamps are blends (see {@link Vec}).
 */
public final class FusedConvTiles {
    /** Output pixels per tile. */
    public static final int PIXELS = 7;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final long VBYTES = S.vectorByteSize();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Bytes from one flat tile's first pixel to the next tile's (7 blocked pixels). */
    private static final long TILE_BYTES = PIXELS * 64L;

    private FusedConvTiles() {}

    /**
     * {@code tiles} tiles of a 1×1 stride-1 convolution's flat row (blocked input, pixels 64 bytes
     * apart), each 7 pixels after the last. With one call per tile, MobileNetV2's 16-input expansion
     * (features.2.0) took 540 instead of 523 µs (per-layer medians of 5 processes each).
     */
    public static void flat(int tiles, MemorySegment in, long p0, int[] kOffset, MemorySegment w, long wOff,
            MemorySegment out, long o0, long blockBytes,
            MemorySegment bias, long bOff, float lo, float hi) {
        for (int t = 0; t < tiles; t++) {
            long p = p0 + t * TILE_BYTES, o = o0 + t * TILE_BYTES;
            FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, bias, bOff + VBYTES, NATIVE);
            FloatVector c00 = b0, c01 = b1;
            FloatVector c10 = b0, c11 = b1;
            FloatVector c20 = b0, c21 = b1;
            FloatVector c30 = b0, c31 = b1;
            FloatVector c40 = b0, c41 = b1;
            FloatVector c50 = b0, c51 = b1;
            FloatVector c60 = b0, c61 = b1;
            long wp = wOff;
            for (int k = 0; k < kOffset.length; k++) {
                long q = p + kOffset[k];
                FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
                FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + VBYTES, NATIVE);
                FloatVector x;
                x = FloatVector.broadcast(S, in.get(FLOAT, q));
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
            FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
            long o1 = o + blockBytes;
            c00 = c00.blend(vlo, c00.compare(LE, vlo));
            c00.blend(vhi, c00.compare(GE, vhi)).intoMemorySegment(out, o, NATIVE);
            c01 = c01.blend(vlo, c01.compare(LE, vlo));
            c01.blend(vhi, c01.compare(GE, vhi)).intoMemorySegment(out, o1, NATIVE);
            c10 = c10.blend(vlo, c10.compare(LE, vlo));
            c10.blend(vhi, c10.compare(GE, vhi)).intoMemorySegment(out, o + 64, NATIVE);
            c11 = c11.blend(vlo, c11.compare(LE, vlo));
            c11.blend(vhi, c11.compare(GE, vhi)).intoMemorySegment(out, o1 + 64, NATIVE);
            c20 = c20.blend(vlo, c20.compare(LE, vlo));
            c20.blend(vhi, c20.compare(GE, vhi)).intoMemorySegment(out, o + 128, NATIVE);
            c21 = c21.blend(vlo, c21.compare(LE, vlo));
            c21.blend(vhi, c21.compare(GE, vhi)).intoMemorySegment(out, o1 + 128, NATIVE);
            c30 = c30.blend(vlo, c30.compare(LE, vlo));
            c30.blend(vhi, c30.compare(GE, vhi)).intoMemorySegment(out, o + 192, NATIVE);
            c31 = c31.blend(vlo, c31.compare(LE, vlo));
            c31.blend(vhi, c31.compare(GE, vhi)).intoMemorySegment(out, o1 + 192, NATIVE);
            c40 = c40.blend(vlo, c40.compare(LE, vlo));
            c40.blend(vhi, c40.compare(GE, vhi)).intoMemorySegment(out, o + 256, NATIVE);
            c41 = c41.blend(vlo, c41.compare(LE, vlo));
            c41.blend(vhi, c41.compare(GE, vhi)).intoMemorySegment(out, o1 + 256, NATIVE);
            c50 = c50.blend(vlo, c50.compare(LE, vlo));
            c50.blend(vhi, c50.compare(GE, vhi)).intoMemorySegment(out, o + 320, NATIVE);
            c51 = c51.blend(vlo, c51.compare(LE, vlo));
            c51.blend(vhi, c51.compare(GE, vhi)).intoMemorySegment(out, o1 + 320, NATIVE);
            c60 = c60.blend(vlo, c60.compare(LE, vlo));
            c60.blend(vhi, c60.compare(GE, vhi)).intoMemorySegment(out, o + 384, NATIVE);
            c61 = c61.blend(vlo, c61.compare(LE, vlo));
            c61.blend(vhi, c61.compare(GE, vhi)).intoMemorySegment(out, o1 + 384, NATIVE);
        }
    }

    /** As {@link #flat} for a panel of one block (16 output channels, 7 accumulators). */
    public static void flat16(int tiles, MemorySegment in, long p0, int[] kOffset, MemorySegment w, long wOff,
            MemorySegment out, long o0, MemorySegment bias, long bOff, float lo, float hi) {
        for (int t = 0; t < tiles; t++) {
            long p = p0 + t * TILE_BYTES, o = o0 + t * TILE_BYTES;
            FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
            FloatVector c00 = b0, c10 = b0, c20 = b0, c30 = b0, c40 = b0, c50 = b0, c60 = b0;
            long wp = wOff;
            for (int k = 0; k < kOffset.length; k++) {
                long q = p + kOffset[k];
                FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
                c00 = FloatVector.broadcast(S, in.get(FLOAT, q)).fma(w0, c00);
                c10 = FloatVector.broadcast(S, in.get(FLOAT, q + 64)).fma(w0, c10);
                c20 = FloatVector.broadcast(S, in.get(FLOAT, q + 128)).fma(w0, c20);
                c30 = FloatVector.broadcast(S, in.get(FLOAT, q + 192)).fma(w0, c30);
                c40 = FloatVector.broadcast(S, in.get(FLOAT, q + 256)).fma(w0, c40);
                c50 = FloatVector.broadcast(S, in.get(FLOAT, q + 320)).fma(w0, c50);
                c60 = FloatVector.broadcast(S, in.get(FLOAT, q + 384)).fma(w0, c60);
                wp += VBYTES;
            }
            FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
            c00 = c00.blend(vlo, c00.compare(LE, vlo));
            c00.blend(vhi, c00.compare(GE, vhi)).intoMemorySegment(out, o, NATIVE);
            c10 = c10.blend(vlo, c10.compare(LE, vlo));
            c10.blend(vhi, c10.compare(GE, vhi)).intoMemorySegment(out, o + 64, NATIVE);
            c20 = c20.blend(vlo, c20.compare(LE, vlo));
            c20.blend(vhi, c20.compare(GE, vhi)).intoMemorySegment(out, o + 128, NATIVE);
            c30 = c30.blend(vlo, c30.compare(LE, vlo));
            c30.blend(vhi, c30.compare(GE, vhi)).intoMemorySegment(out, o + 192, NATIVE);
            c40 = c40.blend(vlo, c40.compare(LE, vlo));
            c40.blend(vhi, c40.compare(GE, vhi)).intoMemorySegment(out, o + 256, NATIVE);
            c50 = c50.blend(vlo, c50.compare(LE, vlo));
            c50.blend(vhi, c50.compare(GE, vhi)).intoMemorySegment(out, o + 320, NATIVE);
            c60 = c60.blend(vlo, c60.compare(LE, vlo));
            c60.blend(vhi, c60.compare(GE, vhi)).intoMemorySegment(out, o + 384, NATIVE);
        }
    }

    /** 7 pixels of a blocked input 64 bytes apart (stride 1), any kernel size. */
    public static void step64(MemorySegment in, long p, int[] kOffset, MemorySegment w, long wOff,
            MemorySegment out, long o, long blockBytes,
            MemorySegment bias, long bOff, float lo, float hi) {
        FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
        FloatVector b1 = FloatVector.fromMemorySegment(S, bias, bOff + VBYTES, NATIVE);
        FloatVector c00 = b0, c01 = b1;
        FloatVector c10 = b0, c11 = b1;
        FloatVector c20 = b0, c21 = b1;
        FloatVector c30 = b0, c31 = b1;
        FloatVector c40 = b0, c41 = b1;
        FloatVector c50 = b0, c51 = b1;
        FloatVector c60 = b0, c61 = b1;
        long wp = wOff;
        for (int k = 0; k < kOffset.length; k++) {
            long q = p + kOffset[k];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + VBYTES, NATIVE);
            FloatVector x;
            x = FloatVector.broadcast(S, in.get(FLOAT, q));
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
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        long o1 = o + blockBytes;
        c00 = c00.blend(vlo, c00.compare(LE, vlo));
        c00.blend(vhi, c00.compare(GE, vhi)).intoMemorySegment(out, o, NATIVE);
        c01 = c01.blend(vlo, c01.compare(LE, vlo));
        c01.blend(vhi, c01.compare(GE, vhi)).intoMemorySegment(out, o1, NATIVE);
        c10 = c10.blend(vlo, c10.compare(LE, vlo));
        c10.blend(vhi, c10.compare(GE, vhi)).intoMemorySegment(out, o + 64, NATIVE);
        c11 = c11.blend(vlo, c11.compare(LE, vlo));
        c11.blend(vhi, c11.compare(GE, vhi)).intoMemorySegment(out, o1 + 64, NATIVE);
        c20 = c20.blend(vlo, c20.compare(LE, vlo));
        c20.blend(vhi, c20.compare(GE, vhi)).intoMemorySegment(out, o + 128, NATIVE);
        c21 = c21.blend(vlo, c21.compare(LE, vlo));
        c21.blend(vhi, c21.compare(GE, vhi)).intoMemorySegment(out, o1 + 128, NATIVE);
        c30 = c30.blend(vlo, c30.compare(LE, vlo));
        c30.blend(vhi, c30.compare(GE, vhi)).intoMemorySegment(out, o + 192, NATIVE);
        c31 = c31.blend(vlo, c31.compare(LE, vlo));
        c31.blend(vhi, c31.compare(GE, vhi)).intoMemorySegment(out, o1 + 192, NATIVE);
        c40 = c40.blend(vlo, c40.compare(LE, vlo));
        c40.blend(vhi, c40.compare(GE, vhi)).intoMemorySegment(out, o + 256, NATIVE);
        c41 = c41.blend(vlo, c41.compare(LE, vlo));
        c41.blend(vhi, c41.compare(GE, vhi)).intoMemorySegment(out, o1 + 256, NATIVE);
        c50 = c50.blend(vlo, c50.compare(LE, vlo));
        c50.blend(vhi, c50.compare(GE, vhi)).intoMemorySegment(out, o + 320, NATIVE);
        c51 = c51.blend(vlo, c51.compare(LE, vlo));
        c51.blend(vhi, c51.compare(GE, vhi)).intoMemorySegment(out, o1 + 320, NATIVE);
        c60 = c60.blend(vlo, c60.compare(LE, vlo));
        c60.blend(vhi, c60.compare(GE, vhi)).intoMemorySegment(out, o + 384, NATIVE);
        c61 = c61.blend(vlo, c61.compare(LE, vlo));
        c61.blend(vhi, c61.compare(GE, vhi)).intoMemorySegment(out, o1 + 384, NATIVE);
    }

    /**
     * As {@link #step64} for a layer whose output adds a residual at {@code r} in {@code out}
     * (laid out as the output) and is clamped from below only (ReLU: a ResNet block's second
     * convolution).
     */
    public static void step64ResidualFloor(MemorySegment in, long p, int[] kOffset, MemorySegment w, long wOff,
            MemorySegment out, long o, long blockBytes, long r, MemorySegment bias, long bOff, float lo) {
        FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
        FloatVector b1 = FloatVector.fromMemorySegment(S, bias, bOff + VBYTES, NATIVE);
        FloatVector c00 = b0, c01 = b1;
        FloatVector c10 = b0, c11 = b1;
        FloatVector c20 = b0, c21 = b1;
        FloatVector c30 = b0, c31 = b1;
        FloatVector c40 = b0, c41 = b1;
        FloatVector c50 = b0, c51 = b1;
        FloatVector c60 = b0, c61 = b1;
        long wp = wOff;
        for (int k = 0; k < kOffset.length; k++) {
            long q = p + kOffset[k];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + VBYTES, NATIVE);
            FloatVector x;
            x = FloatVector.broadcast(S, in.get(FLOAT, q));
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
        FloatVector vlo = FloatVector.broadcast(S, lo);
        long o1 = o + blockBytes, r1 = r + blockBytes;
        c00 = c00.add(FloatVector.fromMemorySegment(S, out, r, NATIVE));
        c00.blend(vlo, c00.compare(LE, vlo)).intoMemorySegment(out, o, NATIVE);
        c01 = c01.add(FloatVector.fromMemorySegment(S, out, r1, NATIVE));
        c01.blend(vlo, c01.compare(LE, vlo)).intoMemorySegment(out, o1, NATIVE);
        c10 = c10.add(FloatVector.fromMemorySegment(S, out, r + 64, NATIVE));
        c10.blend(vlo, c10.compare(LE, vlo)).intoMemorySegment(out, o + 64, NATIVE);
        c11 = c11.add(FloatVector.fromMemorySegment(S, out, r1 + 64, NATIVE));
        c11.blend(vlo, c11.compare(LE, vlo)).intoMemorySegment(out, o1 + 64, NATIVE);
        c20 = c20.add(FloatVector.fromMemorySegment(S, out, r + 128, NATIVE));
        c20.blend(vlo, c20.compare(LE, vlo)).intoMemorySegment(out, o + 128, NATIVE);
        c21 = c21.add(FloatVector.fromMemorySegment(S, out, r1 + 128, NATIVE));
        c21.blend(vlo, c21.compare(LE, vlo)).intoMemorySegment(out, o1 + 128, NATIVE);
        c30 = c30.add(FloatVector.fromMemorySegment(S, out, r + 192, NATIVE));
        c30.blend(vlo, c30.compare(LE, vlo)).intoMemorySegment(out, o + 192, NATIVE);
        c31 = c31.add(FloatVector.fromMemorySegment(S, out, r1 + 192, NATIVE));
        c31.blend(vlo, c31.compare(LE, vlo)).intoMemorySegment(out, o1 + 192, NATIVE);
        c40 = c40.add(FloatVector.fromMemorySegment(S, out, r + 256, NATIVE));
        c40.blend(vlo, c40.compare(LE, vlo)).intoMemorySegment(out, o + 256, NATIVE);
        c41 = c41.add(FloatVector.fromMemorySegment(S, out, r1 + 256, NATIVE));
        c41.blend(vlo, c41.compare(LE, vlo)).intoMemorySegment(out, o1 + 256, NATIVE);
        c50 = c50.add(FloatVector.fromMemorySegment(S, out, r + 320, NATIVE));
        c50.blend(vlo, c50.compare(LE, vlo)).intoMemorySegment(out, o + 320, NATIVE);
        c51 = c51.add(FloatVector.fromMemorySegment(S, out, r1 + 320, NATIVE));
        c51.blend(vlo, c51.compare(LE, vlo)).intoMemorySegment(out, o1 + 320, NATIVE);
        c60 = c60.add(FloatVector.fromMemorySegment(S, out, r + 384, NATIVE));
        c60.blend(vlo, c60.compare(LE, vlo)).intoMemorySegment(out, o + 384, NATIVE);
        c61 = c61.add(FloatVector.fromMemorySegment(S, out, r1 + 384, NATIVE));
        c61.blend(vlo, c61.compare(LE, vlo)).intoMemorySegment(out, o1 + 384, NATIVE);
    }

    /** 7 pixels of a blocked input 128 bytes apart (stride 2). */
    public static void step128(MemorySegment in, long p, int[] kOffset, MemorySegment w, long wOff,
            MemorySegment out, long o, long blockBytes,
            MemorySegment bias, long bOff, float lo, float hi) {
        FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
        FloatVector b1 = FloatVector.fromMemorySegment(S, bias, bOff + VBYTES, NATIVE);
        FloatVector c00 = b0, c01 = b1;
        FloatVector c10 = b0, c11 = b1;
        FloatVector c20 = b0, c21 = b1;
        FloatVector c30 = b0, c31 = b1;
        FloatVector c40 = b0, c41 = b1;
        FloatVector c50 = b0, c51 = b1;
        FloatVector c60 = b0, c61 = b1;
        long wp = wOff;
        for (int k = 0; k < kOffset.length; k++) {
            long q = p + kOffset[k];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + VBYTES, NATIVE);
            FloatVector x;
            x = FloatVector.broadcast(S, in.get(FLOAT, q));
            c00 = x.fma(w0, c00); c01 = x.fma(w1, c01);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 128));
            c10 = x.fma(w0, c10); c11 = x.fma(w1, c11);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 256));
            c20 = x.fma(w0, c20); c21 = x.fma(w1, c21);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 384));
            c30 = x.fma(w0, c30); c31 = x.fma(w1, c31);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 512));
            c40 = x.fma(w0, c40); c41 = x.fma(w1, c41);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 640));
            c50 = x.fma(w0, c50); c51 = x.fma(w1, c51);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 768));
            c60 = x.fma(w0, c60); c61 = x.fma(w1, c61);
            wp += 2 * VBYTES;
        }
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        long o1 = o + blockBytes;
        c00 = c00.blend(vlo, c00.compare(LE, vlo));
        c00.blend(vhi, c00.compare(GE, vhi)).intoMemorySegment(out, o, NATIVE);
        c01 = c01.blend(vlo, c01.compare(LE, vlo));
        c01.blend(vhi, c01.compare(GE, vhi)).intoMemorySegment(out, o1, NATIVE);
        c10 = c10.blend(vlo, c10.compare(LE, vlo));
        c10.blend(vhi, c10.compare(GE, vhi)).intoMemorySegment(out, o + 64, NATIVE);
        c11 = c11.blend(vlo, c11.compare(LE, vlo));
        c11.blend(vhi, c11.compare(GE, vhi)).intoMemorySegment(out, o1 + 64, NATIVE);
        c20 = c20.blend(vlo, c20.compare(LE, vlo));
        c20.blend(vhi, c20.compare(GE, vhi)).intoMemorySegment(out, o + 128, NATIVE);
        c21 = c21.blend(vlo, c21.compare(LE, vlo));
        c21.blend(vhi, c21.compare(GE, vhi)).intoMemorySegment(out, o1 + 128, NATIVE);
        c30 = c30.blend(vlo, c30.compare(LE, vlo));
        c30.blend(vhi, c30.compare(GE, vhi)).intoMemorySegment(out, o + 192, NATIVE);
        c31 = c31.blend(vlo, c31.compare(LE, vlo));
        c31.blend(vhi, c31.compare(GE, vhi)).intoMemorySegment(out, o1 + 192, NATIVE);
        c40 = c40.blend(vlo, c40.compare(LE, vlo));
        c40.blend(vhi, c40.compare(GE, vhi)).intoMemorySegment(out, o + 256, NATIVE);
        c41 = c41.blend(vlo, c41.compare(LE, vlo));
        c41.blend(vhi, c41.compare(GE, vhi)).intoMemorySegment(out, o1 + 256, NATIVE);
        c50 = c50.blend(vlo, c50.compare(LE, vlo));
        c50.blend(vhi, c50.compare(GE, vhi)).intoMemorySegment(out, o + 320, NATIVE);
        c51 = c51.blend(vlo, c51.compare(LE, vlo));
        c51.blend(vhi, c51.compare(GE, vhi)).intoMemorySegment(out, o1 + 320, NATIVE);
        c60 = c60.blend(vlo, c60.compare(LE, vlo));
        c60.blend(vhi, c60.compare(GE, vhi)).intoMemorySegment(out, o + 384, NATIVE);
        c61 = c61.blend(vlo, c61.compare(LE, vlo));
        c61.blend(vhi, c61.compare(GE, vhi)).intoMemorySegment(out, o1 + 384, NATIVE);
    }

    /** 7 pixels of an NCHW input 8 bytes apart (stride 2: a network's stem). */
    public static void step8(MemorySegment in, long p, int[] kOffset, MemorySegment w, long wOff,
            MemorySegment out, long o, long blockBytes,
            MemorySegment bias, long bOff, float lo, float hi) {
        FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
        FloatVector b1 = FloatVector.fromMemorySegment(S, bias, bOff + VBYTES, NATIVE);
        FloatVector c00 = b0, c01 = b1;
        FloatVector c10 = b0, c11 = b1;
        FloatVector c20 = b0, c21 = b1;
        FloatVector c30 = b0, c31 = b1;
        FloatVector c40 = b0, c41 = b1;
        FloatVector c50 = b0, c51 = b1;
        FloatVector c60 = b0, c61 = b1;
        long wp = wOff;
        for (int k = 0; k < kOffset.length; k++) {
            long q = p + kOffset[k];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + VBYTES, NATIVE);
            FloatVector x;
            x = FloatVector.broadcast(S, in.get(FLOAT, q));
            c00 = x.fma(w0, c00); c01 = x.fma(w1, c01);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 8));
            c10 = x.fma(w0, c10); c11 = x.fma(w1, c11);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 16));
            c20 = x.fma(w0, c20); c21 = x.fma(w1, c21);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 24));
            c30 = x.fma(w0, c30); c31 = x.fma(w1, c31);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 32));
            c40 = x.fma(w0, c40); c41 = x.fma(w1, c41);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 40));
            c50 = x.fma(w0, c50); c51 = x.fma(w1, c51);
            x = FloatVector.broadcast(S, in.get(FLOAT, q + 48));
            c60 = x.fma(w0, c60); c61 = x.fma(w1, c61);
            wp += 2 * VBYTES;
        }
        FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
        long o1 = o + blockBytes;
        c00 = c00.blend(vlo, c00.compare(LE, vlo));
        c00.blend(vhi, c00.compare(GE, vhi)).intoMemorySegment(out, o, NATIVE);
        c01 = c01.blend(vlo, c01.compare(LE, vlo));
        c01.blend(vhi, c01.compare(GE, vhi)).intoMemorySegment(out, o1, NATIVE);
        c10 = c10.blend(vlo, c10.compare(LE, vlo));
        c10.blend(vhi, c10.compare(GE, vhi)).intoMemorySegment(out, o + 64, NATIVE);
        c11 = c11.blend(vlo, c11.compare(LE, vlo));
        c11.blend(vhi, c11.compare(GE, vhi)).intoMemorySegment(out, o1 + 64, NATIVE);
        c20 = c20.blend(vlo, c20.compare(LE, vlo));
        c20.blend(vhi, c20.compare(GE, vhi)).intoMemorySegment(out, o + 128, NATIVE);
        c21 = c21.blend(vlo, c21.compare(LE, vlo));
        c21.blend(vhi, c21.compare(GE, vhi)).intoMemorySegment(out, o1 + 128, NATIVE);
        c30 = c30.blend(vlo, c30.compare(LE, vlo));
        c30.blend(vhi, c30.compare(GE, vhi)).intoMemorySegment(out, o + 192, NATIVE);
        c31 = c31.blend(vlo, c31.compare(LE, vlo));
        c31.blend(vhi, c31.compare(GE, vhi)).intoMemorySegment(out, o1 + 192, NATIVE);
        c40 = c40.blend(vlo, c40.compare(LE, vlo));
        c40.blend(vhi, c40.compare(GE, vhi)).intoMemorySegment(out, o + 256, NATIVE);
        c41 = c41.blend(vlo, c41.compare(LE, vlo));
        c41.blend(vhi, c41.compare(GE, vhi)).intoMemorySegment(out, o1 + 256, NATIVE);
        c50 = c50.blend(vlo, c50.compare(LE, vlo));
        c50.blend(vhi, c50.compare(GE, vhi)).intoMemorySegment(out, o + 320, NATIVE);
        c51 = c51.blend(vlo, c51.compare(LE, vlo));
        c51.blend(vhi, c51.compare(GE, vhi)).intoMemorySegment(out, o1 + 320, NATIVE);
        c60 = c60.blend(vlo, c60.compare(LE, vlo));
        c60.blend(vhi, c60.compare(GE, vhi)).intoMemorySegment(out, o + 384, NATIVE);
        c61 = c61.blend(vlo, c61.compare(LE, vlo));
        c61.blend(vhi, c61.compare(GE, vhi)).intoMemorySegment(out, o1 + 384, NATIVE);
    }
}
