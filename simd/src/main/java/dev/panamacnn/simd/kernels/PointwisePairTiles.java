package dev.panamacnn.simd.kernels;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Tiles of a 1×1 stride-1 convolution for a last output panel of at most 24 channels (for
 * example MobileNetV2's 16- and 24-channel projections), reading two input channels per step.
 *
 * <p>The panel's outputs are computed in half-blocks of 8 channels. One 64-bit broadcast puts an
 * adjacent pair of a pixel's input channels (ci, ci + 1; adjacent in a blocked input) in every
 * lane pair, and the weights of a step are packed to match, lane 2j + e holding the weight of
 * input ci + e for output j of the half-block (see {@link #pack}). Every FMA so does the work of
 * a whole 16-channel one: a 16-channel panel costs half a broadcast per FMA instead of one (the
 * broadcasts bound {@link FusedConvTiles#flat16}: 81.7 against 109.8 GFLOP/s here on a 256-input
 * reduction in L1, {@code benchmarks.PointwiseTileRuns 12544 256 16 [pairs]}), and a 24-channel
 * panel computes 24 channels, not 32 (3136 pixels, 96 inputs: 151 against 177 µs).
 *
 * <p>At the end of a tile the raw sums go through a small scratch area ({@code sums}, 64-byte
 * aligned, 896 bytes at most) to a loop that adds each output vector's even lanes to its odd ones
 * (two two-vector permutes and an add), then bias, residual and clamp as in {@link
 * FusedConvTiles}. Finished in registers, the 14 or 21 output vectors made the methods too big
 * for C1 ("out of virtual registers"; MobileNetV2 then ran 8× slower). Tiles are kept at 8 to 14
 * accumulators: with 21 (7 pixels × 3 half-blocks) C2 ran out of inlining budget in some
 * processes, left some 64-bit broadcasts as calls into the Java fallback and ran the layer 5×
 * slower. {@code DoubleVector} serves only that 64-bit broadcast, reinterpreted as floats at
 * once.
 *
 * <p>The reduction runs over pairs, so the input channel count must be even. Generated: edit
 * {@code tools/codegen/pointwise_pair_tiles.py}, not this file. Clamps are blends (see {@link
 * Vec}).
 */
public final class PointwisePairTiles {
    private static final VectorSpecies<Float> S = Vec.F;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_512;
    private static final long VBYTES = S.vectorByteSize();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Two adjacent floats read as one 64-bit lane. */
    private static final ValueLayout.OfDouble PAIR = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private PointwisePairTiles() {}

    /** Whether these kernels run natively here (they need 16 float lanes). */
    public static boolean supported() {
        return S.length() == 16;
    }

    /** Pixels per tile of the methods for {@code halves} half-blocks. */
    public static int pixels(int halves) {
        return switch (halves) {
            case 1 -> 8;
            case 2 -> 7;
            case 3 -> 4;
            default -> throw new IllegalArgumentException("1 to 3 half-blocks, got " + halves);
        };
    }

    /** Half-blocks of 8 output channels that {@code channels} (1 to 24) need. */
    public static int halves(int channels) {
        if (channels < 1 || channels > 24) throw new IllegalArgumentException("a pair panel has 1 to 24 channels, got " + channels);
        return (channels + 7) / 8;
    }

    /**
     * Packs the weights of output channels [first, first + channels) for the tiles from a 1×1
     * layer's weights {@code weight[o · inputs + i]}: {@code inputs / 2} steps (inputs even) of
     * {@code halves(channels)} vectors from byte {@code at} of {@code dst}, zero past the last
     * channel.
     */
    public static void pack(float[] weight, int first, int channels, int inputs, MemorySegment dst, long at) {
        if (inputs % 2 != 0) throw new IllegalArgumentException("pair tiles need an even input channel count, got " + inputs);
        int halves = halves(channels);
        for (int step = 0; step < inputs / 2; step++) {
            for (int h = 0; h < halves; h++) {
                for (int lane = 0; lane < 16; lane++) {
                    int o = 8 * h + lane / 2, i = 2 * step + lane % 2;
                    float value = o < channels ? weight[(first + o) * inputs + i] : 0f;
                    dst.set(ValueLayout.JAVA_FLOAT, at + (((long) step * halves + h) * 16 + lane) * Float.BYTES, value);
                }
            }
        }
    }

    /**
     * {@code tiles} tiles of 8 pixels of a 1×1 stride-1 layer's last 8 output channels
     * (1 half-block, 8 accumulators).
     */
    public static void pairs1(int tiles, MemorySegment in, long p0, int[] kOffset, MemorySegment w, long wOff,
            MemorySegment out, long o0, long blockBytes, MemorySegment bias, long bOff, float lo, float hi,
            MemorySegment sums, long s) {
        for (int t = 0; t < tiles; t++) {
            long p = p0 + t * 512L, o = o0 + t * 512L;
            FloatVector z = FloatVector.zero(S);
            FloatVector c00 = z;
            FloatVector c10 = z;
            FloatVector c20 = z;
            FloatVector c30 = z;
            FloatVector c40 = z;
            FloatVector c50 = z;
            FloatVector c60 = z;
            FloatVector c70 = z;
            long wp = wOff;
            for (int k = 0; k < kOffset.length; k += 2) {
                long q = p + kOffset[k];
                FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
                FloatVector x;
                x = DoubleVector.broadcast(D, in.get(PAIR, q)).reinterpretAsFloats();
                c00 = x.fma(w0, c00);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 64)).reinterpretAsFloats();
                c10 = x.fma(w0, c10);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 128)).reinterpretAsFloats();
                c20 = x.fma(w0, c20);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 192)).reinterpretAsFloats();
                c30 = x.fma(w0, c30);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 256)).reinterpretAsFloats();
                c40 = x.fma(w0, c40);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 320)).reinterpretAsFloats();
                c50 = x.fma(w0, c50);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 384)).reinterpretAsFloats();
                c60 = x.fma(w0, c60);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 448)).reinterpretAsFloats();
                c70 = x.fma(w0, c70);
                wp += 1 * VBYTES;
            }
            c00.intoMemorySegment(sums, s + 0, NATIVE);
            c10.intoMemorySegment(sums, s + 64, NATIVE);
            c20.intoMemorySegment(sums, s + 128, NATIVE);
            c30.intoMemorySegment(sums, s + 192, NATIVE);
            c40.intoMemorySegment(sums, s + 256, NATIVE);
            c50.intoMemorySegment(sums, s + 320, NATIVE);
            c60.intoMemorySegment(sums, s + 384, NATIVE);
            c70.intoMemorySegment(sums, s + 448, NATIVE);
            FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
            FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
            for (int i = 0; i < 8; i++) {
                FloatVector a = FloatVector.fromMemorySegment(S, sums, s + i * 64L, NATIVE);
                FloatVector v = Vec.EVEN.selectFrom(a, z).add(Vec.ODD.selectFrom(a, z)).add(b0);
                v = v.blend(vlo, v.compare(LE, vlo));
                v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(out, o + i * 64L, NATIVE);
            }
        }
    }

    /**
     * {@code tiles} tiles of 8 pixels of a 1×1 stride-1 layer's last 8 output channels
     * (1 half-block, 8 accumulators), plus the residual at {@code r0} in {@code out}.
     */
    public static void pairs1Residual(int tiles, MemorySegment in, long p0, int[] kOffset, MemorySegment w, long wOff,
            MemorySegment out, long o0, long blockBytes, long r0, MemorySegment bias, long bOff, float lo, float hi,
            MemorySegment sums, long s) {
        for (int t = 0; t < tiles; t++) {
            long p = p0 + t * 512L, o = o0 + t * 512L, r = r0 + t * 512L;
            FloatVector z = FloatVector.zero(S);
            FloatVector c00 = z;
            FloatVector c10 = z;
            FloatVector c20 = z;
            FloatVector c30 = z;
            FloatVector c40 = z;
            FloatVector c50 = z;
            FloatVector c60 = z;
            FloatVector c70 = z;
            long wp = wOff;
            for (int k = 0; k < kOffset.length; k += 2) {
                long q = p + kOffset[k];
                FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
                FloatVector x;
                x = DoubleVector.broadcast(D, in.get(PAIR, q)).reinterpretAsFloats();
                c00 = x.fma(w0, c00);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 64)).reinterpretAsFloats();
                c10 = x.fma(w0, c10);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 128)).reinterpretAsFloats();
                c20 = x.fma(w0, c20);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 192)).reinterpretAsFloats();
                c30 = x.fma(w0, c30);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 256)).reinterpretAsFloats();
                c40 = x.fma(w0, c40);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 320)).reinterpretAsFloats();
                c50 = x.fma(w0, c50);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 384)).reinterpretAsFloats();
                c60 = x.fma(w0, c60);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 448)).reinterpretAsFloats();
                c70 = x.fma(w0, c70);
                wp += 1 * VBYTES;
            }
            c00.intoMemorySegment(sums, s + 0, NATIVE);
            c10.intoMemorySegment(sums, s + 64, NATIVE);
            c20.intoMemorySegment(sums, s + 128, NATIVE);
            c30.intoMemorySegment(sums, s + 192, NATIVE);
            c40.intoMemorySegment(sums, s + 256, NATIVE);
            c50.intoMemorySegment(sums, s + 320, NATIVE);
            c60.intoMemorySegment(sums, s + 384, NATIVE);
            c70.intoMemorySegment(sums, s + 448, NATIVE);
            FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
            FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
            for (int i = 0; i < 8; i++) {
                FloatVector a = FloatVector.fromMemorySegment(S, sums, s + i * 64L, NATIVE);
                FloatVector v = Vec.EVEN.selectFrom(a, z).add(Vec.ODD.selectFrom(a, z)).add(b0);
                v = v.add(FloatVector.fromMemorySegment(S, out, r + i * 64L, NATIVE));
                v = v.blend(vlo, v.compare(LE, vlo));
                v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(out, o + i * 64L, NATIVE);
            }
        }
    }

    /**
     * {@code tiles} tiles of 7 pixels of a 1×1 stride-1 layer's last 16 output channels
     * (2 half-blocks, 14 accumulators).
     */
    public static void pairs2(int tiles, MemorySegment in, long p0, int[] kOffset, MemorySegment w, long wOff,
            MemorySegment out, long o0, long blockBytes, MemorySegment bias, long bOff, float lo, float hi,
            MemorySegment sums, long s) {
        for (int t = 0; t < tiles; t++) {
            long p = p0 + t * 448L, o = o0 + t * 448L;
            FloatVector z = FloatVector.zero(S);
            FloatVector c00 = z, c01 = z;
            FloatVector c10 = z, c11 = z;
            FloatVector c20 = z, c21 = z;
            FloatVector c30 = z, c31 = z;
            FloatVector c40 = z, c41 = z;
            FloatVector c50 = z, c51 = z;
            FloatVector c60 = z, c61 = z;
            long wp = wOff;
            for (int k = 0; k < kOffset.length; k += 2) {
                long q = p + kOffset[k];
                FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
                FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + 1 * VBYTES, NATIVE);
                FloatVector x;
                x = DoubleVector.broadcast(D, in.get(PAIR, q)).reinterpretAsFloats();
                c00 = x.fma(w0, c00); c01 = x.fma(w1, c01);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 64)).reinterpretAsFloats();
                c10 = x.fma(w0, c10); c11 = x.fma(w1, c11);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 128)).reinterpretAsFloats();
                c20 = x.fma(w0, c20); c21 = x.fma(w1, c21);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 192)).reinterpretAsFloats();
                c30 = x.fma(w0, c30); c31 = x.fma(w1, c31);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 256)).reinterpretAsFloats();
                c40 = x.fma(w0, c40); c41 = x.fma(w1, c41);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 320)).reinterpretAsFloats();
                c50 = x.fma(w0, c50); c51 = x.fma(w1, c51);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 384)).reinterpretAsFloats();
                c60 = x.fma(w0, c60); c61 = x.fma(w1, c61);
                wp += 2 * VBYTES;
            }
            c00.intoMemorySegment(sums, s + 0, NATIVE);
            c01.intoMemorySegment(sums, s + 64, NATIVE);
            c10.intoMemorySegment(sums, s + 128, NATIVE);
            c11.intoMemorySegment(sums, s + 192, NATIVE);
            c20.intoMemorySegment(sums, s + 256, NATIVE);
            c21.intoMemorySegment(sums, s + 320, NATIVE);
            c30.intoMemorySegment(sums, s + 384, NATIVE);
            c31.intoMemorySegment(sums, s + 448, NATIVE);
            c40.intoMemorySegment(sums, s + 512, NATIVE);
            c41.intoMemorySegment(sums, s + 576, NATIVE);
            c50.intoMemorySegment(sums, s + 640, NATIVE);
            c51.intoMemorySegment(sums, s + 704, NATIVE);
            c60.intoMemorySegment(sums, s + 768, NATIVE);
            c61.intoMemorySegment(sums, s + 832, NATIVE);
            FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
            FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
            for (int i = 0; i < 7; i++) {
                FloatVector a = FloatVector.fromMemorySegment(S, sums, s + i * 128L, NATIVE);
                FloatVector b = FloatVector.fromMemorySegment(S, sums, s + i * 128L + 64, NATIVE);
                FloatVector v = Vec.EVEN.selectFrom(a, b).add(Vec.ODD.selectFrom(a, b)).add(b0);
                v = v.blend(vlo, v.compare(LE, vlo));
                v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(out, o + i * 64L, NATIVE);
            }
        }
    }

    /**
     * {@code tiles} tiles of 7 pixels of a 1×1 stride-1 layer's last 16 output channels
     * (2 half-blocks, 14 accumulators), plus the residual at {@code r0} in {@code out}.
     */
    public static void pairs2Residual(int tiles, MemorySegment in, long p0, int[] kOffset, MemorySegment w, long wOff,
            MemorySegment out, long o0, long blockBytes, long r0, MemorySegment bias, long bOff, float lo, float hi,
            MemorySegment sums, long s) {
        for (int t = 0; t < tiles; t++) {
            long p = p0 + t * 448L, o = o0 + t * 448L, r = r0 + t * 448L;
            FloatVector z = FloatVector.zero(S);
            FloatVector c00 = z, c01 = z;
            FloatVector c10 = z, c11 = z;
            FloatVector c20 = z, c21 = z;
            FloatVector c30 = z, c31 = z;
            FloatVector c40 = z, c41 = z;
            FloatVector c50 = z, c51 = z;
            FloatVector c60 = z, c61 = z;
            long wp = wOff;
            for (int k = 0; k < kOffset.length; k += 2) {
                long q = p + kOffset[k];
                FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
                FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + 1 * VBYTES, NATIVE);
                FloatVector x;
                x = DoubleVector.broadcast(D, in.get(PAIR, q)).reinterpretAsFloats();
                c00 = x.fma(w0, c00); c01 = x.fma(w1, c01);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 64)).reinterpretAsFloats();
                c10 = x.fma(w0, c10); c11 = x.fma(w1, c11);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 128)).reinterpretAsFloats();
                c20 = x.fma(w0, c20); c21 = x.fma(w1, c21);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 192)).reinterpretAsFloats();
                c30 = x.fma(w0, c30); c31 = x.fma(w1, c31);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 256)).reinterpretAsFloats();
                c40 = x.fma(w0, c40); c41 = x.fma(w1, c41);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 320)).reinterpretAsFloats();
                c50 = x.fma(w0, c50); c51 = x.fma(w1, c51);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 384)).reinterpretAsFloats();
                c60 = x.fma(w0, c60); c61 = x.fma(w1, c61);
                wp += 2 * VBYTES;
            }
            c00.intoMemorySegment(sums, s + 0, NATIVE);
            c01.intoMemorySegment(sums, s + 64, NATIVE);
            c10.intoMemorySegment(sums, s + 128, NATIVE);
            c11.intoMemorySegment(sums, s + 192, NATIVE);
            c20.intoMemorySegment(sums, s + 256, NATIVE);
            c21.intoMemorySegment(sums, s + 320, NATIVE);
            c30.intoMemorySegment(sums, s + 384, NATIVE);
            c31.intoMemorySegment(sums, s + 448, NATIVE);
            c40.intoMemorySegment(sums, s + 512, NATIVE);
            c41.intoMemorySegment(sums, s + 576, NATIVE);
            c50.intoMemorySegment(sums, s + 640, NATIVE);
            c51.intoMemorySegment(sums, s + 704, NATIVE);
            c60.intoMemorySegment(sums, s + 768, NATIVE);
            c61.intoMemorySegment(sums, s + 832, NATIVE);
            FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
            FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
            for (int i = 0; i < 7; i++) {
                FloatVector a = FloatVector.fromMemorySegment(S, sums, s + i * 128L, NATIVE);
                FloatVector b = FloatVector.fromMemorySegment(S, sums, s + i * 128L + 64, NATIVE);
                FloatVector v = Vec.EVEN.selectFrom(a, b).add(Vec.ODD.selectFrom(a, b)).add(b0);
                v = v.add(FloatVector.fromMemorySegment(S, out, r + i * 64L, NATIVE));
                v = v.blend(vlo, v.compare(LE, vlo));
                v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(out, o + i * 64L, NATIVE);
            }
        }
    }

    /**
     * {@code tiles} tiles of 4 pixels of a 1×1 stride-1 layer's last 24 output channels
     * (3 half-blocks, 12 accumulators).
     */
    public static void pairs3(int tiles, MemorySegment in, long p0, int[] kOffset, MemorySegment w, long wOff,
            MemorySegment out, long o0, long blockBytes, MemorySegment bias, long bOff, float lo, float hi,
            MemorySegment sums, long s) {
        for (int t = 0; t < tiles; t++) {
            long p = p0 + t * 256L, o = o0 + t * 256L;
            FloatVector z = FloatVector.zero(S);
            FloatVector c00 = z, c01 = z, c02 = z;
            FloatVector c10 = z, c11 = z, c12 = z;
            FloatVector c20 = z, c21 = z, c22 = z;
            FloatVector c30 = z, c31 = z, c32 = z;
            long wp = wOff;
            for (int k = 0; k < kOffset.length; k += 2) {
                long q = p + kOffset[k];
                FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
                FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + 1 * VBYTES, NATIVE);
                FloatVector w2 = FloatVector.fromMemorySegment(S, w, wp + 2 * VBYTES, NATIVE);
                FloatVector x;
                x = DoubleVector.broadcast(D, in.get(PAIR, q)).reinterpretAsFloats();
                c00 = x.fma(w0, c00); c01 = x.fma(w1, c01); c02 = x.fma(w2, c02);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 64)).reinterpretAsFloats();
                c10 = x.fma(w0, c10); c11 = x.fma(w1, c11); c12 = x.fma(w2, c12);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 128)).reinterpretAsFloats();
                c20 = x.fma(w0, c20); c21 = x.fma(w1, c21); c22 = x.fma(w2, c22);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 192)).reinterpretAsFloats();
                c30 = x.fma(w0, c30); c31 = x.fma(w1, c31); c32 = x.fma(w2, c32);
                wp += 3 * VBYTES;
            }
            c00.intoMemorySegment(sums, s + 0, NATIVE);
            c01.intoMemorySegment(sums, s + 64, NATIVE);
            c02.intoMemorySegment(sums, s + 128, NATIVE);
            c10.intoMemorySegment(sums, s + 192, NATIVE);
            c11.intoMemorySegment(sums, s + 256, NATIVE);
            c12.intoMemorySegment(sums, s + 320, NATIVE);
            c20.intoMemorySegment(sums, s + 384, NATIVE);
            c21.intoMemorySegment(sums, s + 448, NATIVE);
            c22.intoMemorySegment(sums, s + 512, NATIVE);
            c30.intoMemorySegment(sums, s + 576, NATIVE);
            c31.intoMemorySegment(sums, s + 640, NATIVE);
            c32.intoMemorySegment(sums, s + 704, NATIVE);
            FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, bias, bOff + VBYTES, NATIVE);
            FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
            for (int i = 0; i < 4; i++) {
                FloatVector a = FloatVector.fromMemorySegment(S, sums, s + i * 192L, NATIVE);
                FloatVector b = FloatVector.fromMemorySegment(S, sums, s + i * 192L + 64, NATIVE);
                FloatVector v = Vec.EVEN.selectFrom(a, b).add(Vec.ODD.selectFrom(a, b)).add(b0);
                v = v.blend(vlo, v.compare(LE, vlo));
                v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(out, o + i * 64L, NATIVE);
                a = FloatVector.fromMemorySegment(S, sums, s + i * 192L + 128, NATIVE);
                v = Vec.EVEN.selectFrom(a, z).add(Vec.ODD.selectFrom(a, z)).add(b1);
                v = v.blend(vlo, v.compare(LE, vlo));
                v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(out, o + blockBytes + i * 64L, NATIVE);
            }
        }
    }

    /**
     * {@code tiles} tiles of 4 pixels of a 1×1 stride-1 layer's last 24 output channels
     * (3 half-blocks, 12 accumulators), plus the residual at {@code r0} in {@code out}.
     */
    public static void pairs3Residual(int tiles, MemorySegment in, long p0, int[] kOffset, MemorySegment w, long wOff,
            MemorySegment out, long o0, long blockBytes, long r0, MemorySegment bias, long bOff, float lo, float hi,
            MemorySegment sums, long s) {
        for (int t = 0; t < tiles; t++) {
            long p = p0 + t * 256L, o = o0 + t * 256L, r = r0 + t * 256L;
            FloatVector z = FloatVector.zero(S);
            FloatVector c00 = z, c01 = z, c02 = z;
            FloatVector c10 = z, c11 = z, c12 = z;
            FloatVector c20 = z, c21 = z, c22 = z;
            FloatVector c30 = z, c31 = z, c32 = z;
            long wp = wOff;
            for (int k = 0; k < kOffset.length; k += 2) {
                long q = p + kOffset[k];
                FloatVector w0 = FloatVector.fromMemorySegment(S, w, wp, NATIVE);
                FloatVector w1 = FloatVector.fromMemorySegment(S, w, wp + 1 * VBYTES, NATIVE);
                FloatVector w2 = FloatVector.fromMemorySegment(S, w, wp + 2 * VBYTES, NATIVE);
                FloatVector x;
                x = DoubleVector.broadcast(D, in.get(PAIR, q)).reinterpretAsFloats();
                c00 = x.fma(w0, c00); c01 = x.fma(w1, c01); c02 = x.fma(w2, c02);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 64)).reinterpretAsFloats();
                c10 = x.fma(w0, c10); c11 = x.fma(w1, c11); c12 = x.fma(w2, c12);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 128)).reinterpretAsFloats();
                c20 = x.fma(w0, c20); c21 = x.fma(w1, c21); c22 = x.fma(w2, c22);
                x = DoubleVector.broadcast(D, in.get(PAIR, q + 192)).reinterpretAsFloats();
                c30 = x.fma(w0, c30); c31 = x.fma(w1, c31); c32 = x.fma(w2, c32);
                wp += 3 * VBYTES;
            }
            c00.intoMemorySegment(sums, s + 0, NATIVE);
            c01.intoMemorySegment(sums, s + 64, NATIVE);
            c02.intoMemorySegment(sums, s + 128, NATIVE);
            c10.intoMemorySegment(sums, s + 192, NATIVE);
            c11.intoMemorySegment(sums, s + 256, NATIVE);
            c12.intoMemorySegment(sums, s + 320, NATIVE);
            c20.intoMemorySegment(sums, s + 384, NATIVE);
            c21.intoMemorySegment(sums, s + 448, NATIVE);
            c22.intoMemorySegment(sums, s + 512, NATIVE);
            c30.intoMemorySegment(sums, s + 576, NATIVE);
            c31.intoMemorySegment(sums, s + 640, NATIVE);
            c32.intoMemorySegment(sums, s + 704, NATIVE);
            FloatVector b0 = FloatVector.fromMemorySegment(S, bias, bOff, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, bias, bOff + VBYTES, NATIVE);
            FloatVector vlo = FloatVector.broadcast(S, lo), vhi = FloatVector.broadcast(S, hi);
            for (int i = 0; i < 4; i++) {
                FloatVector a = FloatVector.fromMemorySegment(S, sums, s + i * 192L, NATIVE);
                FloatVector b = FloatVector.fromMemorySegment(S, sums, s + i * 192L + 64, NATIVE);
                FloatVector v = Vec.EVEN.selectFrom(a, b).add(Vec.ODD.selectFrom(a, b)).add(b0);
                v = v.add(FloatVector.fromMemorySegment(S, out, r + i * 64L, NATIVE));
                v = v.blend(vlo, v.compare(LE, vlo));
                v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(out, o + i * 64L, NATIVE);
                a = FloatVector.fromMemorySegment(S, sums, s + i * 192L + 128, NATIVE);
                v = Vec.EVEN.selectFrom(a, z).add(Vec.ODD.selectFrom(a, z)).add(b1);
                v = v.add(FloatVector.fromMemorySegment(S, out, r + blockBytes + i * 64L, NATIVE));
                v = v.blend(vlo, v.compare(LE, vlo));
                v.blend(vhi, v.compare(GE, vhi)).intoMemorySegment(out, o + blockBytes + i * 64L, NATIVE);
            }
        }
    }
}
