package dev.panamacnn.simd;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.exec.WorkerPool;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.train.StepArena;
import dev.panamacnn.core.train.TrainingKernels;
import dev.panamacnn.simd.gemm.BPacker;
import dev.panamacnn.simd.gemm.Epilogue;
import dev.panamacnn.simd.gemm.GemmConfig;
import dev.panamacnn.simd.gemm.GemmWorkspace;
import dev.panamacnn.simd.gemm.PackedA;
import dev.panamacnn.simd.gemm.PackedB;
import dev.panamacnn.simd.gemm.Sgemm;
import dev.panamacnn.simd.kernels.BatchNormBackward;
import dev.panamacnn.simd.kernels.NormKernels;
import dev.panamacnn.simd.kernels.PoolKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Training kernels on the packed GEMM and the Vector API: convolution forward (GEMM over
 * {@link Im2colPacker} panels), weight and bias gradients ({@link WeightGradKernel}: dot products
 * along the output pixels, lane sums per thread slice), input gradient ({@code dcols = W_gᵀ · dY_g},
 * then col2im), dense forward and gradients, vector ReLU and 2×2 max pooling. Everything else is
 * the reference ({@link TrainingKernels}' defaults).
 *
 * <p>Small convolutions skip im2col for the forward pass and the weight gradient: few taps per
 * output and stride 1 ({@link PlaneConv}, first layers, which need no input gradient), or a few
 * vectors of output channels on small maps ({@link ChannelConv}, whose input gradient stays with
 * the GEMM below).
 *
 * <p>Convolutions split the batch into one contiguous slice of images per thread, each with its
 * own single-threaded GEMM workspace and packers (kept per layer across steps), since per-image
 * GEMMs of a small network are too small to split; weight gradients go to one accumulator per
 * slice, summed in slice order. Dense layers split inside the GEMM. Results are therefore
 * bit-identical from run to run for a given thread count (a different thread count changes only
 * the order of the weight-gradient sum).
 */
final class SimdTrainingKernels implements TrainingKernels {
    private static final VectorSpecies<Float> S = VectorCapabilities.FLOAT_SPECIES;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private final WorkerPool pool;
    private final GemmWorkspace shared;
    private final GemmWorkspace[] perWorker;
    /** Per-call scratch (packed operands, column buffers, per-slice accumulators); reset by each call. */
    private final StepArena scratch = new StepArena();
    /** {@link ChannelConv}'s heap buffers, reused by every step. */
    private final WorkerArrays channelArrays = new WorkerArrays(ChannelConv.SLOTS);
    /** Per convolution geometry seen so far: packers reused by every step. */
    private final List<ConvLayer> layers = new ArrayList<>();
    private static final int NR = GemmConfig.NR;
    private static final int L = S.length();

    SimdTrainingKernels(int threads) {
        pool = WorkerPool.create(threads);
        shared = GemmWorkspace.create(threads);
        perWorker = new GemmWorkspace[threads];
        for (int t = 0; t < threads; t++) perWorker[t] = GemmWorkspace.create(1);
    }

    @Override
    public String name() {
        return "simd";
    }

    private int slices(int n) {
        return Math.min(n, pool.threads());
    }

    private static boolean pointwise(Conv2dSpec s) {
        return s.kernelH() == 1 && s.kernelW() == 1 && s.strideH() == 1 && s.strideW() == 1
                && s.padTop() == 0 && s.padLeft() == 0 && s.padBottom() == 0 && s.padRight() == 0;
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec spec, Tensor out) {
        Geometry g = new Geometry(x, w, spec, out);
        scratch.reset();
        if (PlaneConv.applies(spec, g.c, g.h, g.w)) {
            planeConv(g, spec, out).forward(x.segment(), w.segment(), bias == null ? null : bias.segment(),
                    out.segment(), pool, scratch);
            return;
        }
        if (ChannelConv.applies(spec, g.c, g.outC, g.ohw)) {
            channelConv(g, spec, out).forward(x.segment(), w.segment(), bias == null ? null : bias.segment(),
                    out.segment(), pool, scratch, channelArrays);
            return;
        }
        PackedA[] wg = new PackedA[g.groups];
        Epilogue[] ep = new Epilogue[g.groups];
        for (int i = 0; i < g.groups; i++) {
            wg[i] = PackedA.pack(w.segment(), (long) i * g.og * g.k, g.k, 1, g.og, g.k, scratch);
            ep[i] = bias == null ? Epilogue.NONE : Epilogue.NONE.rowBias(bias.segment(), (long) i * g.og);
        }
        ConvLayer layer = layer(g, spec, x.segment());
        MemorySegment xs = x.segment(), ys = out.segment();
        int slices = slices(g.n), cols = layer.columns;
        // A wide layer computes OH·W columns into scratch and keeps the OH·OW real ones.
        boolean narrow = cols != g.ohw;
        MemorySegment wideOut = narrow ? scratch.allocateUninitialized((long) pool.threads() * g.og * cols * 4) : null;
        int ow = out.dim(3), oh = out.dim(2);
        PackedB[][] kept = layer.keep(xs, g.n); // null when the columns are too big to keep
        pool.run(slices, (t, worker) -> {
            Im2colPacker[] packers = layer.packers[worker];
            long tmp = (long) worker * g.og * cols;
            for (int b = t * g.n / slices; b < (t + 1) * g.n / slices; b++) {
                long image = (long) b * g.c * g.hw;
                for (int i = 0; i < g.groups; i++) {
                    long o = ((long) b * g.outC + (long) i * g.og) * g.ohw;
                    MemorySegment target = narrow ? wideOut : ys;
                    long at = narrow ? tmp : o;
                    if (kept != null) {
                        // Pack this image's columns whole, where the backward pass will find them.
                        PackedB columns = kept[b][i];
                        packers[i].point(xs, image).pack(0, g.k, 0, cols, columns.segment(), 0);
                        Sgemm.gemm(wg[i], columns, target, at, cols, 1, false, ep[i], perWorker[worker], WorkerPool.SERIAL);
                    } else {
                        Sgemm.gemm(wg[i], packers[i].point(xs, image), cols, target, at, cols, 1, false, ep[i],
                                perWorker[worker], WorkerPool.SERIAL);
                    }
                    if (!narrow) continue;
                    for (int r = 0; r < g.og * oh; r++) {
                        MemorySegment.copy(wideOut, (tmp + (long) r * g.w) * 4, ys, (o + (long) r * ow) * 4,
                                (long) ow * 4);
                    }
                }
            }
        });
    }

    /**
     * {@link PlaneConv} or {@link ChannelConv} where they apply (see the class comment); otherwise,
     * and for ChannelConv's input gradient, per block of images of a thread's slice ({@link DyBlocks}): dY is copied into zero-padded
     * rows; {@link WeightGradKernel} adds dY·colsᵀ into the slice's lane sums over the columns the
     * forward pass kept (the whole block in one run), or per image and group over columns packed
     * again; per image dX is Wᵀ·dY (GEMM) then col2im, or straight into dx for a 1×1 stride-1
     * convolution. The slices' lane sums go into dw and db in slice order; each sum adds the
     * images in order, whatever the block size.
     */
    @Override
    public void conv2dBackward(Tensor x, Tensor w, Conv2dSpec spec, Tensor dy, Tensor dx, Tensor dw, Tensor db) {
        Geometry g = new Geometry(x, w, spec, dy);
        if (!dw.shape().equals(w.shape()) || dx != null && !dx.shape().equals(x.shape())
                || db != null && db.size() != g.outC) {
            throw new IllegalArgumentException("conv2dBackward: gradients expected dw " + w.shape() + ", dx "
                    + x.shape() + ", db [" + g.outC + "], got " + dw.shape() + ", "
                    + (dx == null ? "none" : dx.shape()) + ", " + (db == null ? "none" : db.shape()));
        }
        if (!WeightGradKernel.available()) {
            TrainingKernels.super.conv2dBackward(x, w, spec, dy, dx, dw, db);
            return;
        }
        scratch.reset();
        if (dx == null && PlaneConv.applies(spec, g.c, g.h, g.w)) {
            planeConv(g, spec, dy).weightGradient(x.segment(), dy.segment(), dw.segment(),
                    db == null ? null : db.segment(), pool, scratch);
            return;
        }
        // The channel path computes dW and db; the GEMMs below then only compute dX.
        boolean weights = !ChannelConv.applies(spec, g.c, g.outC, g.ohw);
        if (!weights) {
            channelConv(g, spec, dy).weightGradient(x.segment(), dy.segment(), dw.segment(),
                    db == null ? null : db.segment(), pool, scratch, channelArrays);
            if (dx == null) return;
        }
        ConvLayer layer = layer(g, spec, x.segment());
        MemorySegment xs = x.segment(), dys = dy.segment(), ws = w.segment();
        int slices = slices(g.n), workers = pool.threads();
        int columns = layer.columns, ow = dy.dim(3), oh = dy.dim(2);
        boolean narrow = columns != g.ohw;
        int panels = (columns + NR - 1) / NR;
        long padded = (long) panels * NR;
        long wLanes = (long) g.outC * g.k * L;
        long perSlice = wLanes + (db != null ? (long) g.outC * L : 0);
        MemorySegment acc = weights ? scratch.allocate(slices * perSlice * 4, 64) : null;
        long colsSize = (long) panels * g.k * NR;
        MemorySegment cols = weights ? scratch.allocateUninitialized(workers * colsSize * 4) : null;
        DyBlocks dyBlocks = layer.dyBlocks(workers, padded);
        boolean pw = pointwise(spec);
        Im2colPacker shape = layer.packers[0][0];
        boolean gather = !pw && layer.wide && shape.gatherApplies(spec);
        long dcolBefore = gather ? shape.gatherMarginBefore() : 0;
        long dcolStride = gather ? dcolBefore + columns + shape.gatherMarginAfter() : columns;
        PackedA[] wT = null;
        MemorySegment dcols = null;
        if (dx != null) {
            wT = new PackedA[g.groups];
            for (int i = 0; i < g.groups; i++) {
                wT[i] = PackedA.pack(ws, (long) i * g.og * g.k, 1, g.k, g.k, g.og, scratch);
            }
            if (!pw) {
                // The gather form of col2im reads each B row shifted, so rows get zero margins.
                dcols = gather ? scratch.allocate((long) workers * g.k * dcolStride * 4, 64)
                        : scratch.allocateUninitialized((long) workers * g.k * columns * 4);
            }
        }
        PackedA[] wTf = wT;
        MemorySegment dcolsF = dcols;
        MemorySegment dxs = dx == null ? null : dx.segment();
        boolean bias = weights && db != null;
        boolean kept = layer.keptFor(xs, g.n) != null;
        int rowWidth = narrow ? g.w : ow;
        pool.run(slices, (t, worker) -> {
            GemmWorkspace gw = perWorker[worker];
            Im2colPacker[] packers = layer.packers[worker];
            MemorySegment dyRows = dyBlocks.rows(worker);
            long accOff = t * perSlice, colOff = worker * colsSize, rowStride = dyBlocks.rowStride;
            long dcolOff = (long) worker * g.k * dcolStride + dcolBefore;
            int end = (t + 1) * g.n / slices;
            for (int b0 = t * g.n / slices; b0 < end; b0 += dyBlocks.images) {
                int images = Math.min(dyBlocks.images, end - b0);
                for (int j = 0; j < images; j++) {
                    dyBlocks.copy(dys, b0 + j, g.outC, oh, ow, rowWidth, worker, j);
                    if (bias) {
                        WeightGradKernel.rowSums(dyRows, j * padded, rowStride, g.outC, (int) padded, acc,
                                accOff + wLanes);
                    }
                }
                for (int i = 0; i < g.groups; i++) {
                    long dyGroup = (long) i * g.og * rowStride, accGroup = accOff + (long) i * g.og * g.k * L;
                    if (weights && kept && g.groups == 1) {
                        // The forward pass packed these columns already, the block's images back to back.
                        WeightGradKernel.accumulate(dyRows, 0, rowStride, g.og, layer.keptColumns(), layer.keptAt(b0, 0),
                                g.k, panels * images, acc, accGroup);
                    }
                    for (int j = 0; j < images; j++) {
                        long image = (long) (b0 + j) * g.c * g.hw;
                        if (weights && !kept) {
                            packers[i].point(xs, image).pack(0, g.k, 0, columns, cols, colOff * 4);
                        }
                        if (weights && (!kept || g.groups > 1)) {
                            WeightGradKernel.accumulate(dyRows, dyGroup + j * padded, rowStride, g.og,
                                    kept ? layer.keptColumns() : cols, kept ? layer.keptAt(b0 + j, i) : colOff, g.k,
                                    panels, acc, accGroup);
                        }
                        if (dxs == null) continue;
                        long plane = image + (long) i * g.cg * g.hw;
                        BPacker dyB = dyBlocks.packer(worker, j, i);
                        if (pw) {
                            Sgemm.gemm(wTf[i], dyB, g.ohw, dxs, plane, g.hw, 1, false, Epilogue.NONE, gw,
                                    WorkerPool.SERIAL);
                        } else {
                            Sgemm.gemm(wTf[i], dyB, columns, dcolsF, dcolOff, dcolStride, 1, false, Epilogue.NONE, gw,
                                    WorkerPool.SERIAL);
                            if (gather) packers[i].col2imGather(dcolsF, dcolOff, dcolStride, dxs, image);
                            else if (layer.wide) packers[i].col2im(dcolsF, dcolOff, dxs, image);
                            else Col2im.accumulate(dcolsF, dcolOff, dxs, plane, g.cg, g.h, g.w, spec);
                        }
                    }
                }
            }
        });
        // Slice sums into dw and db, in slice order.
        for (int t = 0; weights && t < slices; t++) {
            WeightGradKernel.reduceInto(acc, t * perSlice, g.outC * g.k, dw.segment(), 0);
            if (bias) WeightGradKernel.reduceInto(acc, t * perSlice + wLanes, g.outC, db.segment(), 0);
        }
    }

    private static ChannelConv channelConv(Geometry g, Conv2dSpec spec, Tensor y) {
        return new ChannelConv(g.n, g.c, g.h, g.w, g.outC, y.dim(2), y.dim(3), spec);
    }

    private static PlaneConv planeConv(Geometry g, Conv2dSpec spec, Tensor y) {
        return new PlaneConv(g.n, g.c, g.h, g.w, g.outC, y.dim(2), y.dim(3), spec);
    }

    /** The cached packers of the convolution with this geometry, made on first use. */
    private ConvLayer layer(Geometry g, Conv2dSpec spec, MemorySegment x) {
        for (ConvLayer l : layers) {
            if (l.c == g.c && l.h == g.h && l.w == g.w && l.outC == g.outC && l.spec.equals(spec)) return l;
        }
        ConvLayer l = new ConvLayer(g, spec, x, pool.threads());
        layers.add(l);
        return l;
    }

    /** What a convolution layer keeps across steps: an im2col packer per worker and group. */
    private static final class ConvLayer {
        final int c, h, w, outC;
        final Conv2dSpec spec;
        final Im2colPacker[][] packers;
        /** Stride 1, OW ≤ W: packers use the wide layout (see Im2colPacker). */
        final boolean wide;
        /** Columns of the layer's GEMMs: OH·OW, or OH·W when wide. */
        final int columns;

        ConvLayer(Geometry g, Conv2dSpec spec, MemorySegment x, int workers) {
            c = g.c;
            h = g.h;
            w = g.w;
            outC = g.outC;
            this.spec = spec;
            wide = Im2colPacker.wideApplies(spec, g.h, g.w);
            packers = new Im2colPacker[workers][g.groups];
            for (int t = 0; t < workers; t++) {
                for (int i = 0; i < g.groups; i++) {
                    packers[t][i] = new Im2colPacker(x, 0, i * g.cg, g.cg, g.h, g.w, spec, wide);
                }
            }
            columns = packers[0][0].columns();
            groups = g.groups;
            k = g.k;
        }

        final int groups, k;
        /** im2col columns of every image, packed by the last forward pass of this geometry. */
        private Arena keptArena;
        private PackedB[][] kept;
        private MemorySegment keptAll;
        /** Which input they were packed from: its memory's scope, address, size and images (-1: none). */
        private MemorySegment.Scope keptScope;
        private long keptAddress = -1, keptBytes;
        private int keptImages;

        /**
         * Column buffers for {@code images} images of input {@code x}, to be filled by this
         * forward pass, or null when they would take more than {@link #KEEP_LIMIT_BYTES}.
         */
        PackedB[][] keep(MemorySegment x, int images) {
            long perImage = PackedB.bytes(k, columns) * groups;
            if (perImage * images > KEEP_LIMIT_BYTES) {
                keptAddress = -1;
                keptScope = null;
                return null;
            }
            if (kept == null || kept.length < images) {
                if (keptArena != null) keptArena.close();
                keptArena = Arena.ofShared();
                kept = new PackedB[images][groups];
                MemorySegment all = keptArena.allocate(perImage * images, 64);
                keptAll = all;
                long each = PackedB.bytes(k, columns);
                for (int b = 0; b < images; b++) {
                    for (int i = 0; i < groups; i++) {
                        kept[b][i] = PackedB.wrap(all.asSlice((b * groups + i) * each, each), k, columns);
                    }
                }
            }
            keptScope = x.scope();
            keptAddress = x.address();
            keptBytes = x.byteSize();
            keptImages = images;
            return kept;
        }

        /** The kept columns if the last forward pass packed them from {@code x}, else null. */
        PackedB[][] keptFor(MemorySegment x, int images) {
            // The scope tells a freed-and-reallocated address (a new arena) from the same tensor.
            boolean same = keptAddress == x.address() && keptScope == x.scope() && keptBytes == x.byteSize()
                    && keptImages == images;
            return same ? kept : null;
        }

        /** The kept columns of all images: image b, group i at element {@link #keptAt}. */
        MemorySegment keptColumns() {
            return keptAll;
        }

        long keptAt(int image, int group) {
            return ((long) image * groups + group) * keptPerGroup();
        }

        /** Elements from one image's kept columns to the next's. */
        long keptImageStride() {
            return keptPerGroup() * groups;
        }

        private long keptPerGroup() {
            return PackedB.bytes(k, columns) / Float.BYTES;
        }

        /** The output-gradient blocks of this layer's backward pass, made on first use. */
        DyBlocks dyBlocks(int workers, long padded) {
            if (dyBlocks == null) dyBlocks = new DyBlocks(workers, outC, groups, padded);
            return dyBlocks;
        }

        private DyBlocks dyBlocks;

        void close() {
            if (keptArena != null) keptArena.close();
            if (dyBlocks != null) dyBlocks.close();
        }
    }

    /** Keep a layer's forward im2col columns for its backward pass up to this size (all images). */
    private static final long KEEP_LIMIT_BYTES = 64L << 20;

    @Override
    public void linear(Tensor x, Tensor w, Tensor bias, Tensor out) {
        int n = x.dim(0), f = x.dim(1), o = w.dim(0);
        checkLinear(x, w, out, "output", n, o);
        Epilogue e = bias == null ? Epilogue.NONE : Epilogue.NONE.columnBias(bias.segment(), 0);
        // y[N × O] = x[N × F] · Wᵀ[F × O]
        Sgemm.gemm(n, o, f, x.segment(), 0, f, 1, w.segment(), 0, 1, f, out.segment(), 0, o, 1, false, e, shared, pool);
    }

    @Override
    public void linearBackward(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db) {
        int n = x.dim(0), f = x.dim(1), o = w.dim(0);
        checkLinear(x, w, dy, "output gradient", n, o);
        if (!dw.shape().equals(w.shape()) || dx != null && !dx.shape().equals(x.shape())) {
            throw new IllegalArgumentException("linearBackward: gradients expected dw " + w.shape() + ", dx "
                    + x.shape() + ", got " + dw.shape() + ", " + (dx == null ? "none" : dx.shape()));
        }
        MemorySegment dys = dy.segment();
        // dW[O × F] += dyᵀ[O × N] · x[N × F]
        Sgemm.gemm(o, f, n, dys, 0, 1, o, x.segment(), 0, f, 1, dw.segment(), 0, f, 1, true, Epilogue.NONE,
                shared, pool);
        // dx[N × F] = dy[N × O] · W[O × F]
        if (dx != null) {
            Sgemm.gemm(n, f, o, dys, 0, o, 1, w.segment(), 0, f, 1, dx.segment(), 0, f, 1, false, Epilogue.NONE,
                    shared, pool);
        }
        if (db != null) {
            for (int k = 0; k < o; k++) {
                double s = 0;
                for (int b = 0; b < n; b++) s += dys.getAtIndex(F, (long) b * o + k);
                db.setFlat(k, (float) (db.getFlat(k) + s));
            }
        }
    }

    private static void checkLinear(Tensor x, Tensor w, Tensor y, String what, int n, int o) {
        if (x.rank() != 2 || w.rank() != 2 || w.dim(1) != x.dim(1) || y.rank() != 2 || y.dim(0) != n
                || y.dim(1) != o) {
            throw new IllegalArgumentException("linear: expected input [N, F], weight [O, F], " + what + " [N, O],"
                    + " got " + x.shape() + ", " + w.shape() + ", " + y.shape());
        }
    }

    @Override
    public void activation(Tensor x, Activation act, Tensor out) {
        if (act.kind() != Activation.Kind.RELU || !x.shape().equals(out.shape())) {
            TrainingKernels.super.activation(x, act, out);
            return;
        }
        MemorySegment xs = x.segment(), ys = out.segment();
        long n = x.size(), i = 0;
        for (long bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromMemorySegment(S, xs, i * 4, java.nio.ByteOrder.LITTLE_ENDIAN);
            // max(v, 0) but NaN stays NaN, as the scalar definition says.
            v.blend(0f, v.compare(VectorOperators.LE, 0f)).intoMemorySegment(ys, i * 4, java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < n; i++) ys.setAtIndex(F, i, act.apply(xs.getAtIndex(F, i)));
    }

    @Override
    public void activationBackward(Tensor x, Activation act, Tensor dy, Tensor dx) {
        if (act.kind() != Activation.Kind.RELU || !x.shape().equals(dy.shape()) || !x.shape().equals(dx.shape())) {
            TrainingKernels.super.activationBackward(x, act, dy, dx);
            return;
        }
        MemorySegment xs = x.segment(), dys = dy.segment(), dxs = dx.segment();
        long n = x.size(), i = 0;
        for (long bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromMemorySegment(S, xs, i * 4, java.nio.ByteOrder.LITTLE_ENDIAN);
            FloatVector d = FloatVector.fromMemorySegment(S, dys, i * 4, java.nio.ByteOrder.LITTLE_ENDIAN);
            d.blend(0f, v.compare(VectorOperators.GT, 0f).not()).intoMemorySegment(dxs, i * 4,
                    java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < n; i++) dxs.setAtIndex(F, i, xs.getAtIndex(F, i) > 0 ? dys.getAtIndex(F, i) : 0f);
    }

    /** Vectorized (NormKernels), one channel range per thread: channels are independent. */
    @Override
    public void batchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                  float eps, float momentum, Tensor out, Tensor saveMean, Tensor saveInvStd) {
        if (x.rank() < 2 || !x.shape().equals(out.shape())) {
            TrainingKernels.super.batchNormTraining(x, gamma, beta, runningMean, runningVar, eps, momentum, out,
                    saveMean, saveInvStd);
            return;
        }
        int n = x.dim(0), c = x.dim(1), inner = Math.toIntExact(x.shape().sizeFrom(2));
        int slices = Math.min(c, pool.threads());
        pool.run(slices, (t, worker) -> NormKernels.batchNormTraining(x.segment(), 0, gamma.segment(), 0,
                beta.segment(), 0, runningMean.segment(), 0, runningVar.segment(), 0, out.segment(), 0,
                saveMean == null ? null : saveMean.segment(), 0, saveInvStd == null ? null : saveInvStd.segment(), 0,
                n, c, inner, eps, momentum, t * c / slices, (t + 1) * c / slices));
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor invStd, Tensor dy, Tensor dx,
                                  Tensor dgamma, Tensor dbeta) {
        int c = x.rank() >= 2 ? x.dim(1) : 0;
        Shape channels = Shape.of(Math.max(1, c));
        boolean shapesOk = x.rank() >= 2 && dy.shape().equals(x.shape()) && (dx == null || dx.shape().equals(x.shape()))
                && gamma.shape().equals(channels) && mean.shape().equals(channels) && invStd.shape().equals(channels)
                && dgamma.shape().equals(channels) && dbeta.shape().equals(channels);
        if (!shapesOk) { // the reference names what is wrong
            TrainingKernels.super.batchNormBackward(x, gamma, mean, invStd, dy, dx, dgamma, dbeta);
            return;
        }
        int n = x.dim(0), slices = Math.min(c, pool.threads());
        long inner = x.shape().sizeFrom(2);
        MemorySegment dxs = dx == null ? null : dx.segment();
        pool.run(slices, (t, worker) -> BatchNormBackward.run(x.segment(), dy.segment(), dxs, gamma.segment(),
                mean.segment(), invStd.segment(), dgamma.segment(), dbeta.segment(), n, c, inner,
                t * c / slices, (t + 1) * c / slices));
    }

    @Override
    public void maxPool2d(Tensor x, Pool2dSpec spec, Tensor out) {
        checkPool("maxPool2d", x, spec, out);
        int h = x.dim(2), w = x.dim(3), planes = x.dim(0) * x.dim(1);
        MemorySegment xs = x.segment(), ys = out.segment();
        if (MaxPool2x2.applies(spec, h, w)) {
            MaxPool2x2.forward(xs, ys, h, w, 0, planes);
        } else {
            PoolKernels.maxPool2d(xs, 0, ys, 0, h, w, spec, 0, planes);
        }
    }

    @Override
    public void maxPool2dBackward(Tensor x, Pool2dSpec spec, Tensor dy, Tensor dx) {
        int h = x.rank() == 4 ? x.dim(2) : 0, w = x.rank() == 4 ? x.dim(3) : 0;
        if (!MaxPool2x2.applies(spec, h, w) || !dx.shape().equals(x.shape())) {
            TrainingKernels.super.maxPool2dBackward(x, spec, dy, dx);
            return;
        }
        checkPool("maxPool2dBackward", x, spec, dy);
        MaxPool2x2.backward(x.segment(), dy.segment(), dx.segment(), h, w, 0, x.dim(0) * x.dim(1));
    }

    private static void checkPool(String op, Tensor x, Pool2dSpec spec, Tensor y) {
        if (x.rank() != 4 || !y.shape().equals(spec.outputShape(x.shape()))) {
            throw new IllegalArgumentException(op + ": expected input [N, C, H, W] and output "
                    + (x.rank() == 4 ? spec.outputShape(x.shape()) : "[N, C, OH, OW]") + ", got " + x.shape()
                    + ", " + y.shape());
        }
    }

    @Override
    public void close() {
        for (ConvLayer l : layers) l.close();
        for (GemmWorkspace g : perWorker) g.close();
        shared.close();
        scratch.close();
        pool.close();
    }

    /** Validated sizes of one convolution call. */
    private static final class Geometry {
        final int n, c, h, w, outC, groups, cg, og, k, ohw, hw;

        Geometry(Tensor x, Tensor wt, Conv2dSpec spec, Tensor y) {
            if (x.rank() != 4 || wt.rank() != 4) {
                throw new IllegalArgumentException("conv2d: input and weight must be 4-D, got " + x.shape() + ", "
                        + wt.shape());
            }
            var expectedW = spec.weightShape(x.dim(1), wt.dim(0));
            if (!wt.shape().equals(expectedW)) {
                throw new IllegalArgumentException("conv2d: weight shape expected " + expectedW + ", got " + wt.shape());
            }
            var ys = spec.outputShape(x.shape(), wt.dim(0));
            if (!y.shape().equals(ys)) {
                throw new IllegalArgumentException("conv2d: output shape expected " + ys + ", got " + y.shape());
            }
            n = x.dim(0);
            c = x.dim(1);
            h = x.dim(2);
            w = x.dim(3);
            outC = wt.dim(0);
            groups = spec.groups();
            cg = c / groups;
            og = outC / groups;
            k = cg * spec.kernelH() * spec.kernelW();
            ohw = ys.dim(2) * ys.dim(3);
            hw = h * w;
        }
    }
}
