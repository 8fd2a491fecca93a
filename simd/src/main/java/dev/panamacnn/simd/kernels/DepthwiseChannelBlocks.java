package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Vec.F;
import static dev.panamacnn.simd.kernels.Vec.L;
import static dev.panamacnn.simd.kernels.Vec.ORDER;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import dev.panamacnn.core.ops.Conv2dSpec;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * 3×3 depthwise convolution on small planes (≤ {@link #MAX_PIXELS} outputs: MobileNet's 7×7
 * stage) with vectors along L channels, plus a fused bias and clamp.
 *
 * <p>Per block of L channels of one image, the L planes are gathered into a zero-padded
 * pixel-major buffer (one vector of L channels per pixel), every output is then nine FMAs on
 * whole vectors with the block's weights in registers, and the results are gathered back into
 * the L NCHW planes. On a 7×7 plane the plane-at-a-time kernel ({@link DepthwisePadded}) spends
 * most of its time copying rows and on per-plane overhead around four output vectors; here the
 * overhead is per block of L channels, and every FMA is a full vector.
 *
 * <p>Equals {@link dev.panamacnn.core.reference.ConvRef#conv2d} with {@code groups == channels}
 * followed by {@code min(max(y, lo), hi)}, within {@code Tolerance.forReduction(10, |x|·|w|)}.
 * Each call takes a range of blocks (image-major: block u is channels {@code (u mod B)·L…} of
 * image {@code u div B}), so threads split a layer by blocks.
 */
public final class DepthwiseChannelBlocks {
    /**
     * Largest output plane taken (7×7, where it halves the time). On MobileNetV2's 14×14 layers
     * it ran no faster than the plane kernel (155 vs 153 µs), and taking them made the plane
     * kernel's layers on 56² and 112² planes 1.8× slower in the same process (measured
     * repeatedly; the cause, somewhere in how C2 compiled the plane kernel, was not found).
     */
    public static final int MAX_PIXELS = 49;
    /** {@code [0, L, 2L, …]}: one channel of L consecutive pixels from the pixel-major results. */
    private static final int[] CHANNEL_OF_PIXELS = new int[L];

    static {
        for (int i = 0; i < L; i++) CHANNEL_OF_PIXELS[i] = i * L;
    }

    private DepthwiseChannelBlocks() {}

    /** Whether the layer is handled: 3×3, no dilation, strides 1 or 2, whole vectors of channels, a small plane. */
    public static boolean applies(Conv2dSpec s, int channels, int h, int w) {
        return s.kernelH() == 3 && s.kernelW() == 3 && s.dilationH() == 1 && s.dilationW() == 1
                && (s.strideH() == 1 || s.strideH() == 2) && (s.strideW() == 1 || s.strideW() == 2)
                && channels % L == 0 && s.groups() == channels && s.outH(h) >= 1 && s.outW(w) >= 1
                && (long) s.outH(h) * s.outW(w) <= MAX_PIXELS;
    }

    /**
     * The layout {@link #run} takes: weights {@code [channels][9]} (one 3×3 kernel per channel)
     * as {@code [block][tap][lane]}, so a block's tap is one vector.
     */
    public static float[] packWeights(float[] weights, int channels) {
        float[] packed = new float[channels * 9];
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < 9; t++) packed[((c / L) * 9 + t) * L + c % L] = weights[c * 9 + t];
        }
        return packed;
    }

    /** Per-layer constants and the sizes of one worker's scratch. */
    public static final class Geometry {
        final int h, w, oh, ow, sh, sw, pt, pl, hp, wp;
        /** {@code [0, H·W, 2·H·W, …]}: the L channels of one pixel from L consecutive NCHW planes. */
        final int[] pixelOfChannels = new int[L];
        /** Lanes of the last vector of an output plane. */
        final VectorMask<Float> outTail;

        public Geometry(int h, int w, Conv2dSpec s) {
            this.h = h;
            this.w = w;
            oh = s.outH(h);
            ow = s.outW(w);
            sh = s.strideH();
            sw = s.strideW();
            pt = s.padTop();
            pl = s.padLeft();
            // Rows and columns the 3×3 windows reach (at least the input itself).
            hp = Math.max(pt + h, (oh - 1) * sh + 3);
            wp = Math.max(pl + w, (ow - 1) * sw + 3);
            for (int i = 0; i < L; i++) pixelOfChannels[i] = i * h * w;
            outTail = Vec.IOTA.compare(VectorOperators.LT, oh * ow - (oh * ow - 1) / L * L);
        }

        /** Floats of a worker's scratch arrays: input planes, padded pixel-major input, pixel-major results. */
        public int[] scratchFloats() {
            return new int[] {L * h * w, hp * wp * L, (oh * ow + L - 1) / L * L * L};
        }
    }

    /**
     * One worker's buffers, at least {@link Geometry#scratchFloats()} long; shared by the layers
     * of a plan (they run one after another), so {@link #run} zeroes the padded input's halo.
     */
    public record Scratch(float[] planes, float[] padded, float[] results) {}

    /**
     * Blocks {@code [from, to)}: out = clamp(depthwise(in, weights) + bias, lo, hi).
     *
     * @param weights the 9 taps of each channel block, as {@link #packWeights} lays them out
     * @param bias    one per channel
     * @param in      NCHW input at element {@code inOff}; {@code out} likewise at {@code outOff}
     */
    public static void run(MemorySegment in, long inOff, float[] weights, float[] bias, MemorySegment out,
                           long outOff, int channels, Geometry g, float lo, float hi, int from, int to,
                           Scratch scratch) {
        int blocks = channels / L, plane = g.h * g.w, outPlane = g.oh * g.ow;
        java.util.Arrays.fill(scratch.padded, 0, g.hp * g.wp * L, 0f); // the halo; the interior is rewritten per block
        for (int u = from; u < to; u++) {
            int image = u / blocks, block = u % blocks;
            long firstPlane = (long) image * channels + (long) block * L;
            load(in, inOff + firstPlane * plane, scratch.planes, L * plane);
            toPixelMajor(g, scratch);
            convolve(g, weights, block * 9 * L, bias, block * L, lo, hi, scratch.padded, scratch.results);
            toPlanes(scratch.results, out, outOff + firstPlane * outPlane, outPlane, g.outTail);
        }
    }

    /**
     * Copies {@code count} floats (a multiple of L) from the segment into the array with vectors:
     * {@code MemorySegment.copy} into an array wraps the array in a heap segment, which C2 did not
     * always scalar-replace, and compiled inference must not allocate.
     */
    private static void load(MemorySegment in, long from, float[] to, int count) {
        for (int i = 0; i < count; i += L) {
            FloatVector.fromMemorySegment(F, in, (from + i) * 4, ORDER).intoArray(to, i);
        }
    }

    /** Gathers the block's L planes into the interior of the padded pixel-major buffer. */
    private static void toPixelMajor(Geometry g, Scratch s) {
        for (int y = 0; y < g.h; y++) {
            int row = ((y + g.pt) * g.wp + g.pl) * L;
            for (int x = 0; x < g.w; x++) {
                FloatVector.fromArray(F, s.planes, y * g.w + x, g.pixelOfChannels, 0).intoArray(s.padded, row + x * L);
            }
        }
    }

    /** One output row after another ({@link #convolveRow}). */
    private static void convolve(Geometry g, float[] wt, int w0, float[] bias, int c0, float lo, float hi,
                                 float[] padded, float[] results) {
        for (int i = 0; i < g.oh; i++) {
            convolveRow(padded, i * g.sh * g.wp * L, g.sw * L, g.wp * L, g.ow, wt, w0, bias, c0, lo, hi, results,
                    i * g.ow * L);
        }
    }

    /**
     * Nine FMAs per output pixel of one row, three independent chains (one per kernel row), then
     * bias and clamp. Per row, not per plane: every index is linear in the loop variable, so C2
     * moves the bounds checks out of the loop. A version looping over rows and columns inside
     * one method allocated its weight vectors in some C2 compiles (Java fallback of
     * {@code fromArray}, seen with JFR), which compiled inference must never do.
     */
    private static void convolveRow(float[] padded, int start, int colStep, int rowStep, int count, float[] wt,
                                    int w0, float[] bias, int c0, float lo, float hi, float[] results, int r0) {
        FloatVector k0 = FloatVector.fromArray(F, wt, w0), k1 = FloatVector.fromArray(F, wt, w0 + L);
        FloatVector k2 = FloatVector.fromArray(F, wt, w0 + 2 * L), k3 = FloatVector.fromArray(F, wt, w0 + 3 * L);
        FloatVector k4 = FloatVector.fromArray(F, wt, w0 + 4 * L), k5 = FloatVector.fromArray(F, wt, w0 + 5 * L);
        FloatVector k6 = FloatVector.fromArray(F, wt, w0 + 6 * L), k7 = FloatVector.fromArray(F, wt, w0 + 7 * L);
        FloatVector k8 = FloatVector.fromArray(F, wt, w0 + 8 * L);
        FloatVector b = FloatVector.fromArray(F, bias, c0);
        FloatVector vlo = FloatVector.broadcast(F, lo), vhi = FloatVector.broadcast(F, hi);
        for (int j = 0; j < count; j++) {
            int p = start + j * colStep, q = p + rowStep, s = q + rowStep;
            FloatVector a0 = FloatVector.fromArray(F, padded, p).fma(k0, b);
            FloatVector a1 = FloatVector.fromArray(F, padded, q).mul(k3);
            FloatVector a2 = FloatVector.fromArray(F, padded, s).mul(k6);
            a0 = FloatVector.fromArray(F, padded, p + L).fma(k1, a0);
            a1 = FloatVector.fromArray(F, padded, q + L).fma(k4, a1);
            a2 = FloatVector.fromArray(F, padded, s + L).fma(k7, a2);
            a0 = FloatVector.fromArray(F, padded, p + 2 * L).fma(k2, a0);
            a1 = FloatVector.fromArray(F, padded, q + 2 * L).fma(k5, a1);
            a2 = FloatVector.fromArray(F, padded, s + 2 * L).fma(k8, a2);
            FloatVector v = a0.add(a1).add(a2);
            v = v.blend(vlo, v.compare(LE, vlo)); // clamp by blends (see Vec)
            v.blend(vhi, v.compare(GE, vhi)).intoArray(results, r0 + j * L);
        }
    }

    /**
     * Gathers each channel's pixels from the pixel-major results into its NCHW plane. A plane's
     * last vector may spill into the planes after it in the block, written later; a vector that
     * would reach past the block is masked, since the next block may belong to another thread.
     */
    private static void toPlanes(float[] results, MemorySegment out, long first, int outPlane,
                                 VectorMask<Float> tail) {
        long end = first + (long) L * outPlane;
        for (int k = 0; k < L; k++) {
            long plane = first + (long) k * outPlane;
            for (int p = 0; p < outPlane; p += L) {
                FloatVector v = FloatVector.fromArray(F, results, p * L + k, CHANNEL_OF_PIXELS, 0);
                if (plane + p + L <= end) v.intoMemorySegment(out, (plane + p) * 4, ORDER);
                else v.intoMemorySegment(out, (plane + p) * 4, ORDER, tail);
            }
        }
    }
}
