package dev.panamacnn.simd;

import dev.panamacnn.core.ops.Conv2dSpec;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An image of C × H × W copied into zero-padded planes of Hp × Wp (the direct training
 * convolutions {@link PlaneConv} and {@link ChannelConv}): where a tap reads, and how an image
 * gets there. Only the interior is ever written, so a buffer allocated zeroed keeps its halo.
 */
final class PaddedImage {
    private static final VectorSpecies<Float> S = VectorCapabilities.FLOAT_SPECIES;
    private static final int L = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** {@code TAILS[k]}: the first k lanes. */
    private static final VectorMask<Float>[] TAILS = tails();

    final int c, h, w, hp, wp, padTop, padLeft;

    PaddedImage(int c, int h, int w, Conv2dSpec s) {
        this.c = c;
        this.h = h;
        this.w = w;
        padTop = s.padTop();
        padLeft = s.padLeft();
        hp = h + s.padTop() + s.padBottom();
        wp = w + s.padLeft() + s.padRight();
    }

    /** Floats of the padded planes, C·Hp·Wp. */
    long floats() {
        return (long) c * hp * wp;
    }

    /**
     * The offset in the planes of each tap (c, ky, kx) of {@code s}, in weight order, from the
     * tap (0, 0, 0) of the same output pixel: {@code c·Hp·Wp + ky·dilationH·Wp + kx·dilationW}.
     */
    int[] tapOffsets(Conv2dSpec s) {
        int[] off = new int[c * s.kernelH() * s.kernelW()];
        for (int ci = 0, t = 0; ci < c; ci++) {
            for (int ky = 0; ky < s.kernelH(); ky++) {
                for (int kx = 0; kx < s.kernelW(); kx++) {
                    off[t++] = ci * hp * wp + ky * s.dilationH() * wp + kx * s.dilationW();
                }
            }
        }
        return off;
    }

    /** Copies image {@code img} of the NCHW batch {@code x} into the interior of the planes at element {@code at}. */
    void fill(MemorySegment x, int img, MemorySegment planes, long at) {
        long src = (long) img * c * h * w;
        for (int ci = 0; ci < c; ci++) {
            for (int iy = 0; iy < h; iy++) {
                copyRow(x, src + ((long) ci * h + iy) * w, planes,
                        at + (long) ci * hp * wp + (long) (iy + padTop) * wp + padLeft, w);
            }
        }
    }

    /** {@code len} floats from {@code src} to {@code dst} (element offsets); nothing past them is written. */
    static void copyRow(MemorySegment src, long s, MemorySegment dst, long d, int len) {
        int i = 0;
        for (; i + L < len; i += L) {
            FloatVector.fromMemorySegment(S, src, (s + i) * 4, LE).intoMemorySegment(dst, (d + i) * 4, LE);
        }
        VectorMask<Float> tail = TAILS[len - i];
        long at = (s + i) * 4;
        FloatVector v = at + 4L * L <= src.byteSize() ? FloatVector.fromMemorySegment(S, src, at, LE)
                : FloatVector.fromMemorySegment(S, src, at, LE, tail);
        v.intoMemorySegment(dst, (d + i) * 4, LE, tail);
    }

    /** The first {@code k} lanes, 0 ≤ k ≤ L. */
    static VectorMask<Float> firstLanes(int k) {
        return TAILS[k];
    }

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] tails() {
        VectorMask<Float>[] m = new VectorMask[L + 1];
        var iota = FloatVector.broadcast(S, 0f).addIndex(1);
        for (int k = 0; k <= L; k++) m[k] = iota.compare(VectorOperators.LT, (float) k);
        return m;
    }
}
