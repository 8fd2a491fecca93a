package dev.panamacnn.simd;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.exec.ParallelTask;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.plan.ChannelLayout;
import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.simd.kernels.BlockedConvTiles;
import dev.panamacnn.simd.kernels.FusedConvTiles;
import dev.panamacnn.simd.kernels.PointwisePairTiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * Direct convolution (ungrouped, any kernel, stride, dilation and padding) writing a blocked
 * output (NCHW16c) from an NCHW or blocked input, 7 output pixels × 32 output channels per
 * tile. Whole tiles of the common cases ({@link FusedConvTiles}: no residual, or a ReLU after a
 * residual at stride 1) finish their outputs in registers; the rest ({@link BlockedConvTiles})
 * leave raw sums in a heap tile that an epilogue finishes with bias, residual and clamp. Both
 * store whole vectors. Unlike {@link DirectConvKernel} there is no transpose back to NCHW after
 * each row, and a 1×1 stride-1 convolution runs over the image's pixels as one flat row, so no
 * tile is ever partial except the image's last. Such a layer's last panel of at most 24
 * channels (MobileNetV2's 16- and 24-channel projections) runs {@link PointwisePairTiles}, which
 * compute only the channels there are.
 *
 * <p>A padded convolution first copies each image into zero-padded planes (per channel when the
 * input is NCHW, per block of 16 channels when it is blocked); an unpadded one, or one whose
 * input has a halo at least as wide as its padding (see {@code Ops.Conv}), reads its input where
 * it lies; one whose output has a halo writes the border's zeros itself, row by row, every run
 * (the memory is shared with other values). Work is split into units of (output row, channel
 * panel); when the packed weights fit in L2 (≤ 512 KB) the panels of a row are adjacent, so
 * the row's inputs are reused from cache across panels, otherwise the rows of a panel are, so
 * its weights are.
 */
final class BlockedConvKernel implements Kernel {
    static final int BLOCK = 16;
    private static final int PIXELS = BlockedConvTiles.PIXELS;
    /** A flat (1×1, stride 1) convolution's "rows": chunks of this many pixels. */
    private static final int FLAT_CHUNK = 8 * PIXELS;
    private static final long WEIGHTS_IN_CACHE = 512 * 1024;
    /** Room for any pair tile's raw sums (at most 896 bytes: 7 pixels × 2 half-blocks), whole lines per worker. */
    private static final long PAIR_SUMS_BYTES = 1024;
    /** Below this many multiply-adds a task costs more to hand out than to compute. */
    private static final long MIN_MACS_PER_TASK = 1L << 20;

    private final Ops.Conv op;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment packed, bias;
    private final int[] kOffset;
    private final int n, c, h, w, oh, ow, outBlocks, panels, lastPanelWidth;
    private final int pitch, inPlanes, hp, wp, padTop, padLeft;
    private final boolean padded, flat, panelsInner;
    /** Whether each image is first copied into zero-padded planes (padded, and no halo to read in place). */
    private final boolean copiesInput;
    /** With an input halo: the byte offset, in an image's stored input, of the top-left pixel the padding starts at. */
    private final long inOrigin;
    /** The halos of the input and of the output; the output's rows are {@code owp} pixels apart. */
    private final int inHalo, outHalo, owp;
    /**
     * Which whole tiles finish in registers ({@link FusedConvTiles}): those of two-block panels
     * without a residual, of a 1×1 layer's one-block panel without a residual, and of two-block
     * panels with a residual and a ReLU at stride 1 (not flat: a 1×1 layer keeps its own profile).
     */
    private final boolean fusedTwoBlocks, fusedOneBlock, fusedResidual;
    /**
     * For a 1×1 stride-1 layer with an even input count whose last panel has at most 24
     * channels: the half-blocks of 8 channels (1 to 3) of that panel, whose whole tiles then run
     * with {@link PointwisePairTiles} on their own packing of its weights ({@code pairPacked}).
     * 0 for other layers.
     */
    private final int pairHalves;
    private final MemorySegment pairPacked;
    private final int strideH, spanH;
    private final long pixelStep, rowStep, outBlockBytes;
    private final float min, max;

    static boolean supports(Ops.Conv op) {
        Conv2dSpec s = op.spec();
        Shape in = op.input();
        long planes = (long) ChannelLayout.paddedChannels(in.dim(1), BLOCK)
                * (in.dim(2) + s.padTop() + s.padBottom()) * (in.dim(3) + s.padLeft() + s.padRight());
        long outputs = (long) ChannelLayout.paddedChannels(op.output().dim(1), BLOCK) * op.output().dim(2) * op.output().dim(3);
        return s.groups() == 1 && BlockedConvTiles.supported() && op.input().rank() == 4
                && planes * Float.BYTES < Integer.MAX_VALUE && outputs * Float.BYTES < Integer.MAX_VALUE;
    }

    /**
     * Whether this kernel runs {@code op} writing its output (and reading its residual) inside a
     * zero border {@code halo} pixels wide.
     */
    static boolean writesHalo(Ops.Conv op, int halo) {
        return supports(op) && !BlockedDepthwiseKernel.supports(op) && fitsInt(op.output(), halo);
    }

    /** Whether this kernel runs {@code op} reading, in place, a blocked input with a halo {@code halo} wide. */
    static boolean readsHalo(Ops.Conv op, int halo) {
        Conv2dSpec s = op.spec();
        int p = s.padTop();
        return supports(op) && !BlockedDepthwiseKernel.supports(op) && fitsInt(op.input(), halo)
                && s.padBottom() == p && s.padLeft() == p && s.padRight() == p && p <= halo;
    }

    /** Whether one blocked image of {@code shape} with a halo {@code halo} wide has fewer than 2^31 bytes (int offsets). */
    private static boolean fitsInt(Shape shape, int halo) {
        long bytes = (long) ChannelLayout.paddedChannels(shape.dim(1), BLOCK) * (shape.dim(2) + 2L * halo)
                * (shape.dim(3) + 2L * halo) * Float.BYTES;
        return shape.rank() == 4 && bytes < Integer.MAX_VALUE;
    }

    BlockedConvKernel(Ops.Conv op) {
        if (!supports(op) || op.outLayout() != ChannelLayout.BLOCKED) {
            throw new IllegalArgumentException("blocked direct convolution cannot run " + op.spec() + " to " + op.outLayout());
        }
        Conv2dSpec s = op.spec();
        if (op.inHalo() > 0 && (op.inLayout() != ChannelLayout.BLOCKED || !readsHalo(op, op.inHalo()))) {
            throw new IllegalArgumentException("blocked direct convolution cannot read an input halo of " + op.inHalo()
                    + " in place for " + s + " (it needs a blocked input and the same padding, at most the halo, on every side), got "
                    + op.inLayout());
        }
        if (op.outHalo() > 0 && !writesHalo(op, op.outHalo())) {
            throw new IllegalArgumentException("blocked direct convolution cannot write a halo of " + op.outHalo() + " for " + s);
        }
        this.op = op;
        Shape in = op.input(), out = op.output();
        n = in.dim(0);
        c = in.dim(1);
        h = in.dim(2);
        w = in.dim(3);
        int o = out.dim(1);
        oh = out.dim(2);
        ow = out.dim(3);
        min = op.activation().min();
        max = op.activation().max();
        boolean plainIn = op.inLayout() == ChannelLayout.NCHW;
        pitch = plainIn ? 1 : BLOCK;
        inPlanes = plainIn ? c : ChannelLayout.paddedChannels(c, BLOCK) / BLOCK;
        padTop = s.padTop();
        padLeft = s.padLeft();
        inHalo = op.inHalo();
        // With an input halo the input is read in place: its stored planes, from the pixel where padding begins.
        hp = inHalo > 0 ? h + 2 * inHalo : h + s.padTop() + s.padBottom();
        wp = inHalo > 0 ? w + 2 * inHalo : w + s.padLeft() + s.padRight();
        inOrigin = inHalo > 0 ? ((long) (inHalo - padTop) * wp + inHalo - padLeft) * pitch * Float.BYTES : 0;
        padded = hp != h || wp != w;
        strideH = s.strideH();
        spanH = (s.kernelH() - 1) * s.dilationH() + 1;
        outHalo = op.outHalo();
        owp = ow + 2 * outHalo;
        copiesInput = padded && inHalo == 0;
        flat = !padded && outHalo == 0 && s.kernelH() == 1 && s.kernelW() == 1 && s.strideH() == 1 && s.strideW() == 1;
        pixelStep = (long) s.strideW() * pitch * Float.BYTES;
        boolean residual = op.residual() != null;
        fusedTwoBlocks = !residual && (pixelStep == 64 || pixelStep == 128 || pixelStep == 8);
        fusedOneBlock = !residual && flat && pixelStep == 64;
        fusedResidual = residual && !flat && pixelStep == 64 && max == Float.POSITIVE_INFINITY;
        rowStep = (long) s.strideH() * wp * pitch * Float.BYTES;
        outBlocks = ChannelLayout.paddedChannels(o, BLOCK) / BLOCK;
        outBlockBytes = (long) (oh + 2 * outHalo) * owp * BLOCK * Float.BYTES;

        int kh = s.kernelH(), kw = s.kernelW(), k = c * kh * kw;
        kOffset = new int[k];
        for (int ci = 0, i = 0; ci < c; ci++) {
            long plane = plainIn ? (long) ci * hp * wp : (long) (ci / BLOCK) * hp * wp * BLOCK + ci % BLOCK;
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    long pixel = (long) y * s.dilationH() * wp + (long) x * s.dilationW();
                    kOffset[i++] = (int) ((plane + pixel * pitch) * Float.BYTES);
                }
            }
        }
        // Panels of 32 output channels (two blocks); an odd block count ends with one of 16.
        panels = (outBlocks + 1) / 2;
        lastPanelWidth = outBlocks % 2 == 0 ? 2 * BLOCK : BLOCK;
        packed = arena.allocate((long) outBlocks * BLOCK * k * Float.BYTES, 64);
        float[] weight = op.weight();
        for (int oc = 0; oc < o; oc++) {
            int panel = oc / (2 * BLOCK), width = panelWidth(panel);
            long base = (long) panel * 2 * BLOCK * k + oc % (2 * BLOCK);
            for (int i = 0; i < k; i++) {
                packed.setAtIndex(ValueLayout.JAVA_FLOAT, base + (long) i * width, weight[oc * k + i]);
            }
        }
        int lastChannels = o - 2 * BLOCK * (panels - 1);
        boolean pairs = flat && pixelStep == 64 && c % 2 == 0 && lastChannels <= 3 * BLOCK / 2 && PointwisePairTiles.supported();
        pairHalves = pairs ? PointwisePairTiles.halves(lastChannels) : 0;
        pairPacked = pairs ? arena.allocate((long) pairHalves * BLOCK / 2 * k * Float.BYTES, 64) : null;
        if (pairs) PointwisePairTiles.pack(weight, o - lastChannels, lastChannels, c, pairPacked, 0);
        bias = arena.allocate((long) outBlocks * BLOCK * Float.BYTES, 64);
        for (int oc = 0; oc < o; oc++) bias.setAtIndex(ValueLayout.JAVA_FLOAT, oc, op.bias()[oc]);
        panelsInner = packed.byteSize() <= WEIGHTS_IN_CACHE;
    }

    private int panelWidth(int panel) {
        return panel == panels - 1 ? lastPanelWidth : 2 * BLOCK;
    }

    private int rows() {
        return flat ? (oh * ow + FLAT_CHUNK - 1) / FLAT_CHUNK : oh;
    }

    @Override
    public Runnable bind(ExecutionContext ctx) {
        return new Runner(ctx, copiesInput ? ctx.resource(PaddedPlanes.class, PaddedPlanes::new) : null);
    }

    private final class Runner implements Runnable {
        private final ExecutionContext ctx;
        private final PaddedPlanes planes; // null: read the input where it lies
        private final int rows = rows(), units = rows * panels, tasks;
        private final ParallelTask computeTask, bandTask, privateTask;
        /** Each task pads the input rows its own output rows read into its worker's planes, then computes. */
        private final boolean banded;
        /**
         * Each worker pads the whole input into its own planes before its first task, then
         * computes: with panels outer, a worker's tasks read every input row.
         */
        private final boolean privatePlanes;
        /** Per worker, 16 ints apart: the {@link #stamp} its planes were last padded for. */
        private final int[] paddedFor;
        private int stamp;
        private final long paddedBytes = ((long) inPlanes * hp * wp * pitch * Float.BYTES + 63) / 64 * 64;
        private final float[][] tiles; // per worker: one unit's raw sums, pixel-major
        /** Per worker, {@link #PAIR_SUMS_BYTES} apart: a pair tile's raw sums (64-byte aligned, unlike a heap array). */
        private final MemorySegment pairSums;
        private MemorySegment input;
        private long inBase; // byte offset of the current image's (padded) input in `input`
        private int image;

        Runner(ExecutionContext ctx, PaddedPlanes planes) {
            this.ctx = ctx;
            this.planes = planes;
            long macs = (long) outBlocks * BLOCK * oh * ow * kOffset.length;
            int rowPixels = flat ? FLAT_CHUNK : ow;
            tiles = new float[ctx.pool().threads()][(rowPixels + PIXELS) * 2 * BLOCK];
            pairSums = pairHalves > 0 ? arena.allocate(ctx.pool().threads() * PAIR_SUMS_BYTES, 64) : null;
            tasks = (int) Math.max(1, Math.min(units, Math.min(macs / MIN_MACS_PER_TASK, 4L * ctx.pool().threads())));
            // With several tasks each worker pads what its tasks read into its own planes: a
            // separate padding pass and its barrier cost 2-thread ResNet-18 ~0.1 ms a layer, and
            // planes padded by the other thread are read from its cache, slow when the two cores
            // are far apart (see WorkerPool). When panels are inner a task's output rows are
            // contiguous and it pads the input rows they read; otherwise it reads every input row,
            // and each worker pads the whole input once.
            banded = planes != null && panelsInner && tasks > 1;
            privatePlanes = planes != null && !panelsInner && tasks > 1;
            paddedFor = new int[16 * ctx.pool().threads()];
            if (planes != null) planes.reserve(paddedBytes * (tasks > 1 ? ctx.pool().threads() : 1));
            computeTask = (task, worker) -> compute((int) ((long) task * units / tasks), (int) ((long) (task + 1) * units / tasks),
                    worker, input, inBase);
            bandTask = (task, worker) -> {
                int from = (int) ((long) task * units / tasks), to = (int) ((long) (task + 1) * units / tasks);
                if (from >= to) return;
                int firstRow = from / panels, lastRow = (to - 1) / panels;
                long base = worker * paddedBytes;
                pad(input, base, 0, inPlanes, firstRow * strideH, Math.min(hp, lastRow * strideH + spanH));
                compute(from, to, worker, input, base);
            };
            privateTask = (task, worker) -> {
                int from = (int) ((long) task * units / tasks), to = (int) ((long) (task + 1) * units / tasks);
                if (from >= to) return;
                long base = worker * paddedBytes;
                if (paddedFor[16 * worker] != stamp) {
                    pad(input, base, 0, inPlanes, 0, hp);
                    paddedFor[16 * worker] = stamp;
                }
                compute(from, to, worker, input, base);
            };
        }

        @Override
        public void run() {
            input = planes == null ? ctx.workspace() : planes.segment();
            for (image = 0; image < n; image++) {
                long imageBytes = (long) inPlanes * (inHalo > 0 ? hp * wp : h * w) * pitch * Float.BYTES;
                inBase = planes == null ? op.in().byteOffset() + image * imageBytes + inOrigin : 0;
                if (tasks == 1) {
                    if (planes != null) pad(input, 0, 0, inPlanes, 0, hp);
                    compute(0, units, 0, input, inBase);
                } else if (banded) {
                    ctx.pool().run(tasks, bandTask);
                } else if (privatePlanes) {
                    stamp++;
                    ctx.pool().run(tasks, privateTask);
                } else {
                    ctx.pool().run(tasks, computeTask);
                }
            }
        }

        /**
         * Writes padded rows [yFrom, yTo) of input planes [from, to) of the current image into the
         * padded planes at {@code base} in {@code dst}: input rows copied between zero columns,
         * halo rows zeroed.
         */
        private void pad(MemorySegment dst, long base, int from, int to, int yFrom, int yTo) {
            MemorySegment ws = ctx.workspace();
            long pixel = (long) pitch * Float.BYTES, rowBytes = w * pixel, padRow = wp * pixel;
            long first = op.in().byteOffset() + (long) image * inPlanes * h * rowBytes;
            for (int g = from; g < to; g++) {
                long plane = base + (long) g * hp * padRow, src = first + (long) g * h * rowBytes;
                for (int y = yFrom; y < yTo; y++) {
                    long row = plane + y * padRow;
                    int iy = y - padTop;
                    if (iy < 0 || iy >= h) {
                        zero(dst, row, padRow);
                        continue;
                    }
                    zero(dst, row, padLeft * pixel);
                    MemorySegment.copy(ws, src + iy * rowBytes, dst, row + padLeft * pixel, rowBytes);
                    zero(dst, row + padLeft * pixel + rowBytes, (wp - padLeft - w) * pixel);
                }
            }
        }

        /** Units [from, to) of the current image, reading its (padded) input at {@code srcBase} in {@code src}. */
        private void compute(int from, int to, int worker, MemorySegment src, long srcBase) {
            float[] tile = tiles[worker];
            MemorySegment ws = ctx.workspace();
            long imageOut = (long) image * outBlocks * outBlockBytes;
            long out = op.out().byteOffset() + imageOut;
            long res = op.residual() == null ? -1 : op.residual().byteOffset() + imageOut;
            long panelBytes = 2L * BLOCK * kOffset.length * Float.BYTES;
            int pixelsOut = oh * ow;
            for (int u = from; u < to; u++) {
                int row = panelsInner ? u / panels : u % rows, panel = panelsInner ? u % panels : u / rows;
                int first, count; // output pixels [first, first + count), in one output row unless flat
                long p;
                if (flat) {
                    first = row * FLAT_CHUNK;
                    count = Math.min(FLAT_CHUNK, pixelsOut - first);
                    p = srcBase + first * pixelStep;
                } else {
                    first = row * ow;
                    count = ow;
                    p = srcBase + row * rowStep;
                }
                long wOff = panel * panelBytes, bOff = (long) panel * 2 * BLOCK * Float.BYTES;
                long firstOut = flat ? first : (long) (row + outHalo) * owp + outHalo; // where pixel `first` is stored
                long o = out + 2L * panel * outBlockBytes + firstOut * BLOCK * Float.BYTES;
                long r = res < 0 ? -1 : o - out + res;
                boolean two = panelWidth(panel) == 2 * BLOCK;
                for (int b = 0; outHalo > 0 && b < (two ? 2 : 1); b++) {
                    HaloBorder.zeroRowShare(ws, out + (2L * panel + b) * outBlockBytes, row, oh, ow, outHalo);
                }
                if (pairHalves > 0 && panel == panels - 1) {
                    pairUnit(src, p, count, two, wOff, ws, o, r, bOff, tile, worker);
                    continue;
                }
                if (two ? fusedTwoBlocks : fusedOneBlock) {
                    fusedUnit(src, p, count, two, wOff, ws, o, bOff, tile);
                    continue;
                }
                if (two && fusedResidual) { // a ResNet block's second convolution
                    residualUnit(src, p, count, wOff, ws, o, r, bOff, tile);
                    continue;
                }
                int width = two ? 2 * BLOCK : BLOCK;
                for (int x = 0; x < count; x += PIXELS) {
                    int m = Math.min(PIXELS, count - x), t = x * width;
                    long px = p + x * pixelStep;
                    // Blocked inputs at stride 1: the 7 pixels as constant displacements.
                    if (two && m == PIXELS && pixelStep == 64 && flat) {
                        BlockedConvTiles.tile7x32Flat(src, px, kOffset, packed, wOff, tile, t);
                    } else if (two && m == PIXELS && pixelStep == 64) {
                        BlockedConvTiles.tile7x32Step64(src, px, kOffset, packed, wOff, tile, t);
                    } else if (two) {
                        BlockedConvTiles.tile7x32(src, px, pixelStep, kOffset, packed, wOff, tile, t, m);
                    } else {
                        BlockedConvTiles.tile7x16(src, px, pixelStep, kOffset, packed, wOff, tile, t, m);
                    }
                }
                BlockedConvTiles.epilogue(tile, ws, o, r, outBlockBytes, bias, bOff, count, two ? 2 : 1, min, max);
            }
        }

        /** One unit of a stride-1 two-block panel with a residual at {@code r}, clamped from below only. */
        private void residualUnit(MemorySegment src, long p, int count, long wOff, MemorySegment ws, long o, long r,
                                  long bOff, float[] tile) {
            int whole = count / PIXELS * PIXELS;
            for (int x = 0; x < whole; x += PIXELS) {
                long shift = (long) x * BLOCK * Float.BYTES;
                FusedConvTiles.step64ResidualFloor(src, p + x * pixelStep, kOffset, packed, wOff, ws, o + shift, outBlockBytes,
                        r + shift, bias, bOff, min);
            }
            shortTile(src, p, whole, count, true, wOff, ws, o, r, bOff, tile);
        }

        /**
         * One unit without a residual, of a two-block panel whose pixels are 8, 64 or 128 bytes
         * apart (NCHW stride 2, blocked stride 1 or 2) or of a 1×1 stride-1 layer's one-block
         * panel: whole tiles finish their outputs themselves; a short last tile goes through the
         * heap tile and the epilogue.
         */
        private void fusedUnit(MemorySegment src, long p, int count, boolean two, long wOff, MemorySegment ws, long o,
                               long bOff, float[] tile) {
            int whole = count / PIXELS * PIXELS;
            if (flat) { // a blocked input at stride 1: pixels 64 bytes apart, tiles back to back
                if (two) {
                    FusedConvTiles.flat(whole / PIXELS, src, p, kOffset, packed, wOff, ws, o, outBlockBytes, bias, bOff, min, max);
                } else {
                    FusedConvTiles.flat16(whole / PIXELS, src, p, kOffset, packed, wOff, ws, o, bias, bOff, min, max);
                }
            } else {
                for (int x = 0; x < whole; x += PIXELS) {
                    long px = p + x * pixelStep, ox = o + (long) x * BLOCK * Float.BYTES;
                    if (pixelStep == 64) {
                        FusedConvTiles.step64(src, px, kOffset, packed, wOff, ws, ox, outBlockBytes, bias, bOff, min, max);
                    } else if (pixelStep == 128) {
                        FusedConvTiles.step128(src, px, kOffset, packed, wOff, ws, ox, outBlockBytes, bias, bOff, min, max);
                    } else {
                        FusedConvTiles.step8(src, px, kOffset, packed, wOff, ws, ox, outBlockBytes, bias, bOff, min, max);
                    }
                }
            }
            shortTile(src, p, whole, count, two, wOff, ws, o, -1, bOff, tile);
        }

        /**
         * One unit of a 1×1 layer's last panel of at most 24 channels (with a residual at r
         * unless r &lt; 0): whole pair tiles, then a short last tile as any other panel's.
         */
        private void pairUnit(MemorySegment src, long p, int count, boolean two, long wOff, MemorySegment ws, long o, long r,
                              long bOff, float[] tile, int worker) {
            int px = PointwisePairTiles.pixels(pairHalves), tiles = count / px, whole = tiles * px;
            long bb = outBlockBytes, s = worker * PAIR_SUMS_BYTES;
            MemorySegment w = pairPacked;
            switch (pairHalves) {
                case 1 -> {
                    if (r < 0) PointwisePairTiles.pairs1(tiles, src, p, kOffset, w, 0, ws, o, bb, bias, bOff, min, max, pairSums, s);
                    else PointwisePairTiles.pairs1Residual(tiles, src, p, kOffset, w, 0, ws, o, bb, r, bias, bOff, min, max, pairSums, s);
                }
                case 2 -> {
                    if (r < 0) PointwisePairTiles.pairs2(tiles, src, p, kOffset, w, 0, ws, o, bb, bias, bOff, min, max, pairSums, s);
                    else PointwisePairTiles.pairs2Residual(tiles, src, p, kOffset, w, 0, ws, o, bb, r, bias, bOff, min, max, pairSums, s);
                }
                default -> {
                    if (r < 0) PointwisePairTiles.pairs3(tiles, src, p, kOffset, w, 0, ws, o, bb, bias, bOff, min, max, pairSums, s);
                    else PointwisePairTiles.pairs3Residual(tiles, src, p, kOffset, w, 0, ws, o, bb, r, bias, bOff, min, max, pairSums, s);
                }
            }
            shortTile(src, p, whole, count, two, wOff, ws, o, r, bOff, tile);
        }

        /** Pixels [whole, count) of a unit, fewer than a tile, through the heap tile and the epilogue. */
        private void shortTile(MemorySegment src, long p, int whole, int count, boolean two, long wOff, MemorySegment ws,
                               long o, long r, long bOff, float[] tile) {
            if (whole == count) return;
            int m = count - whole;
            long px = p + whole * pixelStep, shift = (long) whole * BLOCK * Float.BYTES;
            if (two) BlockedConvTiles.tile7x32(src, px, pixelStep, kOffset, packed, wOff, tile, 0, m);
            else BlockedConvTiles.tile7x16(src, px, pixelStep, kOffset, packed, wOff, tile, 0, m);
            BlockedConvTiles.epilogue(tile, ws, o + shift, r < 0 ? -1 : r + shift, outBlockBytes, bias, bOff, m, two ? 2 : 1,
                    min, max);
        }
    }

    /** Zeroes {@code bytes} (a multiple of 4) from {@code offset}, a vector at a time where it can. */
    static void zero(MemorySegment s, long offset, long bytes) {
        FloatVector z = FloatVector.zero(FloatVector.SPECIES_512);
        long end = offset + bytes, at = offset;
        for (; at + 64 <= end; at += 64) z.intoMemorySegment(s, at, ByteOrder.nativeOrder());
        for (; at < end; at += 4) s.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at, 0f);
    }

    @Override
    public void close() {
        arena.close();
    }
}
