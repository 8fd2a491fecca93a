package dev.panamacnn.simd;

import dev.panamacnn.core.exec.WorkerPool;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.train.StepArena;
import dev.panamacnn.simd.kernels.PlaneConvTiles;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct convolution for small training layers — few taps per output pixel (C·kh·kw ≤
 * {@link #MAX_TAPS}, a kernel larger than 1×1), stride 1, ungrouped, an image's padded planes
 * within {@link #MAX_PLANE_FLOATS} (a small network's first layers, LeNet's and cnn-bn's): the
 * forward pass and the weight and bias gradients, without im2col.
 *
 * <p>Each image is copied into zero-padded planes, Hp × Wp per channel. Output pixel (oy, ox)
 * then has the flat position {@code q = oy·Wp + ox}, and tap (c, ky, kx) reads the planes at
 * {@code q + c·Hp·Wp + ky·dilationH·Wp + kx·dilationW}: one fixed offset per tap. Vectors run along
 * q across row ends; positions with ox ≥ OW are computed and dropped (forward) or meet zeros in dY
 * (weight gradient; a non-finite input there would turn 0·x into NaN, where the reference stays
 * finite). For LeNet's first layer (1 → 6 channels, 5×5, 28×28) im2col + GEMM spent most of its
 * time writing 25 copies of every pixel and keeping those columns (5 MB per batch of 64, beyond
 * L2) for the backward pass; here an image's planes (4 KB) and dY rows stay in L1.
 *
 * <p>Each thread takes one contiguous slice of the batch; weight-gradient lane sums are kept per
 * slice and added in slice order, so results are bit-identical from run to run for a given
 * thread count. The input gradient is not computed here (first layers do not need it).
 */
final class PlaneConv {
    /** Up to this many taps per output (C·kh·kw) the packed GEMM's weight reuse does not pay for im2col. */
    static final int MAX_TAPS = 64;
    /** Largest C·Hp·Wp taken (16 KB of planes, so they stay in L1 while every tile reads them). */
    static final int MAX_PLANE_FLOATS = 4096;
    private static final VectorSpecies<Float> S = VectorCapabilities.FLOAT_SPECIES;
    private static final int L = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Positions per forward tile ({@link PlaneConvTiles#forward3x4}). */
    private static final int BLOCK = 4 * L;

    private final int n, outC, oh, ow, wp, taps;
    private final PaddedImage image;
    /** Plane offset of each tap, in floats. */
    private final int[] off;
    /** Computed positions per image: OH·Wp rounded up to whole forward tiles. */
    private final int positions;
    /** Floats of one image's planes, including the zeros that the last positions read past the end. */
    private final long planeFloats;
    /** Lanes valid in the last vector of an output row. */
    private final VectorMask<Float> outTail;

    /** Whether this path runs the convolution of {@code channels} × h × w images (see the class comment). */
    static boolean applies(Conv2dSpec s, int channels, int h, int w) {
        long planes = (long) channels * (h + s.padTop() + s.padBottom()) * (w + s.padLeft() + s.padRight());
        return s.groups() == 1 && s.strideH() == 1 && s.strideW() == 1 && s.kernelH() * s.kernelW() > 1
                && channels * s.kernelH() * s.kernelW() <= MAX_TAPS && planes <= MAX_PLANE_FLOATS;
    }

    PlaneConv(int n, int c, int h, int w, int outC, int oh, int ow, Conv2dSpec s) {
        this.n = n;
        this.outC = outC;
        this.oh = oh;
        this.ow = ow;
        image = new PaddedImage(c, h, w, s);
        wp = image.wp;
        off = image.tapOffsets(s);
        taps = off.length;
        positions = (oh * wp + BLOCK - 1) / BLOCK * BLOCK;
        long maxOff = off[taps - 1];
        planeFloats = (Math.max(image.floats(), positions + maxOff) + L - 1) / L * L;
        outTail = PaddedImage.firstLanes(ow - (ow - 1) / L * L);
    }

    /** {@code y = conv(x, weight) + bias} (bias may be null), all NCHW. */
    void forward(MemorySegment x, MemorySegment weight, MemorySegment bias, MemorySegment y, WorkerPool pool,
                 StepArena scratch) {
        float[] wk = weight.asSlice(0, (long) outC * taps * 4).toArray(F);
        float[] b = bias == null ? new float[outC] : bias.asSlice(0, outC * 4L).toArray(F);
        int workers = pool.threads(), slices = Math.min(n, workers);
        long outStride = positions + L; // a row's last vector may read up to L − 1 floats past its positions
        MemorySegment planes = scratch.allocate(workers * planeFloats * 4, 64);
        MemorySegment wide = scratch.allocateUninitialized(workers * outC * outStride * 4);
        pool.run(slices, (t, worker) -> {
            long p = worker * planeFloats, o = worker * outC * outStride;
            MemorySegment myPlanes = planes.asSlice(p * 4, planeFloats * 4);
            MemorySegment myWide = wide.asSlice(o * 4, outC * outStride * 4);
            for (int img = t * n / slices; img < (t + 1) * n / slices; img++) {
                image.fill(x, img, myPlanes, 0);
                for (int r = 0; r < outC; r += 3) {
                    int r1 = Math.min(r + 1, outC - 1), r2 = Math.min(r + 2, outC - 1);
                    for (int q = 0; q < positions; q += BLOCK) {
                        PlaneConvTiles.forward3x4(myPlanes, q, off, wk, taps, r, r1, r2, myWide, outStride);
                    }
                }
                writeOutput(myWide, outStride, b, y, img);
            }
        });
    }

    /**
     * Adds ∂L/∂w into {@code dw} and ∂L/∂b into {@code db} (may be null), both [outC…]-shaped
     * sums over the batch.
     */
    void weightGradient(MemorySegment x, MemorySegment dy, MemorySegment dw, MemorySegment db, WorkerPool pool,
                        StepArena scratch) {
        int workers = pool.threads(), slices = Math.min(n, workers);
        long wLanes = (long) outC * taps * L, perSlice = wLanes + (long) outC * L;
        MemorySegment acc = scratch.allocate(slices * perSlice * 4, 64);
        MemorySegment planes = scratch.allocate(workers * planeFloats * 4, 64);
        // dY rows at the planes' width, zero where a position is not an output pixel.
        MemorySegment rows = scratch.allocate(workers * (long) outC * positions * 4, 64);
        pool.run(slices, (t, worker) -> {
            MemorySegment myPlanes = planes.asSlice(worker * planeFloats * 4, planeFloats * 4);
            MemorySegment myRows = rows.asSlice(worker * (long) outC * positions * 4, (long) outC * positions * 4);
            long a = t * perSlice;
            for (int img = t * n / slices; img < (t + 1) * n / slices; img++) {
                image.fill(x, img, myPlanes, 0);
                fillRows(dy, img, myRows);
                if (db != null) WeightGradKernel.rowSums(myRows, 0, positions, outC, positions, acc, a + wLanes);
                for (int r = 0; r < outC; r += 3) {
                    int r1 = Math.min(r + 1, outC - 1), r2 = Math.min(r + 2, outC - 1);
                    for (int k = 0; k < taps; k += 5) {
                        int k1 = Math.min(k + 1, taps - 1), k2 = Math.min(k + 2, taps - 1);
                        int k3 = Math.min(k + 3, taps - 1), k4 = Math.min(k + 4, taps - 1);
                        PlaneConvTiles.weightGrad3x5(myPlanes, off[k], off[k1], off[k2], off[k3], off[k4],
                                myRows, (long) r * positions, (long) r1 * positions, (long) r2 * positions,
                                positions / L, acc, a + (long) r * taps * L, a + (long) r1 * taps * L,
                                a + (long) r2 * taps * L, k, k1, k2, k3, k4);
                    }
                }
            }
        });
        for (int t = 0; t < slices; t++) {
            WeightGradKernel.reduceInto(acc, t * perSlice, outC * taps, dw, 0);
            if (db != null) WeightGradKernel.reduceInto(acc, t * perSlice + wLanes, outC, db, 0);
        }
    }

    /** Copies image {@code img}'s dY into rows of width Wp; the other positions stay zero. */
    private void fillRows(MemorySegment dy, int img, MemorySegment rows) {
        long src = (long) img * outC * oh * ow;
        for (int r = 0; r < outC; r++) {
            for (int oy = 0; oy < oh; oy++) {
                PaddedImage.copyRow(dy, src + ((long) r * oh + oy) * ow, rows, (long) r * positions + (long) oy * wp, ow);
            }
        }
    }

    /**
     * Writes the real positions of the wide rows, plus bias, to image {@code img} of y. A row's
     * last vector may spill into the rows after it, which are written later; only a vector that
     * would reach past the image is masked, since the next image may belong to another thread.
     */
    private void writeOutput(MemorySegment wide, long stride, float[] bias, MemorySegment y, int img) {
        long dst = (long) img * outC * oh * ow, end = dst + (long) outC * oh * ow;
        for (int r = 0; r < outC; r++) {
            FloatVector bv = FloatVector.broadcast(S, bias[r]);
            for (int oy = 0; oy < oh; oy++) {
                long s = r * stride + (long) oy * wp, d = dst + ((long) r * oh + oy) * ow;
                for (int ox = 0; ox < ow; ox += L) {
                    FloatVector v = FloatVector.fromMemorySegment(S, wide, (s + ox) * 4, LE).add(bv);
                    if (d + ox + L <= end) v.intoMemorySegment(y, (d + ox) * 4, LE);
                    else v.intoMemorySegment(y, (d + ox) * 4, LE, outTail);
                }
            }
        }
    }
}
