package dev.panamacnn.simd;

import dev.panamacnn.core.exec.WorkerPool;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.train.StepArena;
import dev.panamacnn.simd.kernels.ChannelConvTiles;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct convolution with vectors along output channels, for small training layers: ungrouped,
 * whole vectors of at most {@link #MAX_OUT} output channels, {@link PlaneConv#MAX_TAPS} &lt; C·kh·kw
 * ≤ {@link #MAX_TAPS} taps, at most {@link #MAX_PIXELS} output pixels (LeNet's and cnn-bn's second
 * layers; larger layers keep the packed GEMM, whose weight reuse this path lacks): the forward
 * pass and the weight and bias gradients, without im2col.
 *
 * <p>Output pixel p reads tap t of an image's (zero-padded) planes at {@code base[p] + off[t]},
 * the input broadcast, the weights a vector of L output channels. Every FMA is useful: LeNet's
 * second layer (6 → 16 channels, 5×5, 10×10 outputs) costs 100 × 150 FMAs per image here, where
 * im2col + GEMM pads its 10-pixel rows to the 14-wide input rows and whole 32-column panels
 * (160 columns) and writes every input pixel 25 times. The weight gradient accumulates
 * {@code dW[t][channels]} straight from pixel-major dY, so no lane sums need reducing.
 *
 * <p>Results are pixel-major per image and reach NCHW through L-pixel vector gathers. Each
 * thread takes one contiguous slice of the batch; weight-gradient sums are kept per slice and
 * added in slice order, so results are bit-identical from run to run for a given thread count.
 * The input gradient stays with the GEMM path.
 */
final class ChannelConv {
    /** Output channels up to which the broadcast inputs are not worth packing for a GEMM. */
    static final int MAX_OUT = 64;
    /** Largest taps per output (C·kh·kw) and output pixels taken: the sizes measured, LeNet's 150 and cnn-bn's 196. */
    static final int MAX_TAPS = 1024, MAX_PIXELS = 256;
    private static final VectorSpecies<Float> S = VectorCapabilities.FLOAT_SPECIES;
    private static final int L = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** {@code [0, L, 2L, …]}: gathers one channel of L consecutive pixels from pixel-major rows. */
    private static final int[] CHANNEL_OF_PIXELS = new int[L];

    static {
        for (int i = 0; i < L; i++) CHANNEL_OF_PIXELS[i] = i * L;
    }

    /** {@link WorkerArrays} slots: per worker, then per slice, then the caller's. */
    static final int PIXEL_MAJOR = 0, DY_IMAGE = 1, DY_PIXEL_MAJOR = 2, SUMS = 3, BIAS_SUMS = 4, WEIGHTS_T = 5,
            BIAS = 6, SLOTS = 7;

    private final int n, c, h, w, outC, oh, ow, taps, pixels;
    private final PaddedImage image;
    /** Whether the input has no padding and is read where it lies. */
    private final boolean inPlace;
    private final int[] off, base;
    /** {@code [0, P, 2P, …]}: gathers L channels of one pixel from an NCHW image of P pixels. */
    private final int[] pixelOfChannels = new int[L];
    private final VectorMask<Float> pixelTail;

    /** Whether this path runs the convolution (see the class comment); {@code pixels} = OH·OW. */
    static boolean applies(Conv2dSpec s, int channels, int outChannels, int pixels) {
        int taps = channels * s.kernelH() * s.kernelW();
        return s.groups() == 1 && outChannels % L == 0 && outChannels <= MAX_OUT
                && taps > PlaneConv.MAX_TAPS && taps <= MAX_TAPS && pixels <= MAX_PIXELS;
    }

    ChannelConv(int n, int c, int h, int w, int outC, int oh, int ow, Conv2dSpec s) {
        this.n = n;
        this.c = c;
        this.h = h;
        this.w = w;
        this.outC = outC;
        this.oh = oh;
        this.ow = ow;
        image = new PaddedImage(c, h, w, s);
        inPlace = image.hp == h && image.wp == w;
        pixels = oh * ow;
        off = image.tapOffsets(s);
        taps = off.length;
        base = new int[pixels];
        for (int oy = 0, p = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) base[p++] = oy * s.strideH() * image.wp + ox * s.strideW();
        }
        for (int i = 0; i < L; i++) pixelOfChannels[i] = i * pixels;
        var iota = FloatVector.broadcast(S, 0f).addIndex(1);
        pixelTail = iota.compare(VectorOperators.LT, (float) (pixels - (pixels - 1) / L * L));
    }

    /** {@code y = conv(x, weight) + bias} (bias may be null), all NCHW. */
    void forward(MemorySegment x, MemorySegment weight, MemorySegment bias, MemorySegment y, WorkerPool pool,
                 StepArena scratch, WorkerArrays arrays) {
        int workers = pool.threads(), slices = Math.min(n, workers);
        arrays.reserve(workers);
        float[] wt = arrays.get(0, WEIGHTS_T, taps * outC);
        for (int o = 0; o < outC; o++) {
            for (int t = 0; t < taps; t++) wt[t * outC + o] = weight.getAtIndex(F, (long) o * taps + t);
        }
        float[] b = arrays.zeroed(0, BIAS, outC);
        if (bias != null) MemorySegment.copy(bias, F, 0, b, 0, outC);
        MemorySegment planes = inPlace ? null : scratch.allocate(workers * image.floats() * 4, 64);
        int rowFloats = (pixels + L - 1) / L * L * L;
        pool.run(slices, (t, worker) -> {
            float[] pixelMajor = arrays.get(worker, PIXEL_MAJOR, rowFloats);
            for (int img = t * n / slices; img < (t + 1) * n / slices; img++) {
                MemorySegment src = inPlace ? x : planes;
                long at = inPlace ? (long) img * c * h * w : worker * image.floats();
                if (!inPlace) image.fill(x, img, planes, at);
                for (int cb = 0; cb < outC; cb += L) {
                    for (int p = 0; p < pixels; p += 8) {
                        int p1 = Math.min(p + 1, pixels - 1), p2 = Math.min(p + 2, pixels - 1);
                        int p3 = Math.min(p + 3, pixels - 1), p4 = Math.min(p + 4, pixels - 1);
                        int p5 = Math.min(p + 5, pixels - 1), p6 = Math.min(p + 6, pixels - 1);
                        int p7 = Math.min(p + 7, pixels - 1);
                        ChannelConvTiles.forward8(src, at, base[p], base[p1], base[p2], base[p3], base[p4],
                                base[p5], base[p6], base[p7], off, taps, wt, outC, cb, pixelMajor, p, p1, p2, p3, p4, p5,
                                p6, p7);
                    }
                    writeChannels(pixelMajor, cb, b, y, img);
                }
            }
        });
    }

    /**
     * Adds ∂L/∂w into {@code dw} and ∂L/∂b into {@code db} (may be null), sums over the batch.
     */
    void weightGradient(MemorySegment x, MemorySegment dy, MemorySegment dw, MemorySegment db, WorkerPool pool,
                        StepArena scratch, WorkerArrays arrays) {
        int workers = pool.threads(), slices = Math.min(n, workers);
        arrays.reserve(workers);
        float[][] acc = new float[slices][], biasAcc = new float[slices][];
        for (int t = 0; t < slices; t++) {
            acc[t] = arrays.zeroed(t, SUMS, taps * outC);
            biasAcc[t] = arrays.zeroed(t, BIAS_SUMS, outC);
        }
        MemorySegment planes = inPlace ? null : scratch.allocate(workers * image.floats() * 4, 64);
        pool.run(slices, (t, worker) -> {
            float[] dyImage = arrays.get(worker, DY_IMAGE, outC * pixels);
            float[] dyt = arrays.get(worker, DY_PIXEL_MAJOR, pixels * L);
            float[] sums = acc[t], biasSums = biasAcc[t];
            for (int img = t * n / slices; img < (t + 1) * n / slices; img++) {
                MemorySegment src = inPlace ? x : planes;
                long at = inPlace ? (long) img * c * h * w : worker * image.floats();
                if (!inPlace) image.fill(x, img, planes, at);
                MemorySegment.copy(dy, F, (long) img * outC * pixels * 4, dyImage, 0, outC * pixels);
                for (int cb = 0; cb < outC; cb += L) {
                    FloatVector bsum = FloatVector.fromArray(S, biasSums, cb);
                    for (int p = 0; p < pixels; p++) {
                        FloatVector g = FloatVector.fromArray(S, dyImage, cb * pixels + p, pixelOfChannels, 0);
                        g.intoArray(dyt, p * L);
                        bsum = bsum.add(g);
                    }
                    bsum.intoArray(biasSums, cb);
                    for (int k = 0; k < taps; k += 10) {
                        int k1 = Math.min(k + 1, taps - 1), k2 = Math.min(k + 2, taps - 1);
                        int k3 = Math.min(k + 3, taps - 1), k4 = Math.min(k + 4, taps - 1);
                        int k5 = Math.min(k + 5, taps - 1), k6 = Math.min(k + 6, taps - 1);
                        int k7 = Math.min(k + 7, taps - 1), k8 = Math.min(k + 8, taps - 1);
                        int k9 = Math.min(k + 9, taps - 1);
                        ChannelConvTiles.weightGrad10(src, at, base, pixels, dyt, off[k], off[k1], off[k2],
                                off[k3], off[k4], off[k5], off[k6], off[k7], off[k8], off[k9], sums, outC, cb, k, k1,
                                k2, k3, k4, k5, k6, k7, k8, k9);
                    }
                }
            }
        });
        for (int s = 0; s < slices; s++) {
            for (int o = 0; o < outC; o++) {
                for (int t = 0; t < taps; t++) {
                    long at = (long) o * taps + t;
                    dw.setAtIndex(F, at, dw.getAtIndex(F, at) + acc[s][t * outC + o]);
                }
                if (db != null) db.setAtIndex(F, o, db.getAtIndex(F, o) + biasAcc[s][o]);
            }
        }
    }

    /**
     * Writes channels {@code cb..cb+L} of image {@code img} from pixel-major rows, plus bias. A
     * channel's last vector may spill into the next channel, written after it; only a vector
     * that would reach past the image is masked.
     */
    private void writeChannels(float[] pixelMajor, int cb, float[] bias, MemorySegment y, int img) {
        long image = (long) img * outC * pixels, end = image + (long) outC * pixels;
        for (int lane = 0; lane < L; lane++) {
            FloatVector bv = FloatVector.broadcast(S, bias[cb + lane]);
            long d = image + (long) (cb + lane) * pixels;
            for (int p = 0; p < pixels; p += L) {
                FloatVector v = FloatVector.fromArray(S, pixelMajor, p * L + lane, CHANNEL_OF_PIXELS, 0).add(bv);
                if (d + p + L <= end) v.intoMemorySegment(y, (d + p) * 4, LE);
                else v.intoMemorySegment(y, (d + p) * 4, LE, pixelTail);
            }
        }
    }
}
