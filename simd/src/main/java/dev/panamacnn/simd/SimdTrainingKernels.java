package dev.panamacnn.simd;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.exec.WorkerPool;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.train.StepArena;
import dev.panamacnn.core.train.TrainingKernels;
import dev.panamacnn.simd.gemm.BPacker;
import dev.panamacnn.simd.gemm.Epilogue;
import dev.panamacnn.simd.gemm.GemmWorkspace;
import dev.panamacnn.simd.gemm.PackedA;
import dev.panamacnn.simd.gemm.Sgemm;
import dev.panamacnn.simd.gemm.StridedBPacker;
import dev.panamacnn.simd.kernels.PoolKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Training kernels on the packed GEMM: convolution forward ({@link Im2colPacker}), weight
 * gradient ({@code dW_g += dY_g · colsᵀ}, {@link Im2colTransposedPacker}) and input gradient
 * ({@code dcols = W_gᵀ · dY_g}, then col2im), dense forward and both gradients; ReLU vectorised.
 * Everything else is the reference ({@link TrainingKernels}' defaults).
 *
 * <p>Convolutions split the batch into one contiguous slice of images per thread, each with its
 * own single-threaded GEMM workspace, since per-image GEMMs of a small network are too small to
 * split; weight gradients go to one accumulator per slice, summed in slice order. Dense layers
 * split inside the GEMM. Results are therefore bit-identical from run to run for a given thread
 * count (a different thread count changes only the order of the weight-gradient sum).
 */
final class SimdTrainingKernels implements TrainingKernels {
    private static final VectorSpecies<Float> S = VectorCapabilities.FLOAT_SPECIES;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private final WorkerPool pool;
    private final GemmWorkspace shared;
    private final GemmWorkspace[] perWorker;
    /** Per-call scratch (packed operands, column buffers, per-slice accumulators); reset by each call. */
    private final StepArena scratch = new StepArena();

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
        PackedA[] wg = new PackedA[g.groups];
        for (int i = 0; i < g.groups; i++) {
            wg[i] = PackedA.pack(w.segment(), (long) i * g.og * g.k, g.k, 1, g.og, g.k, scratch);
        }
        Epilogue[] ep = new Epilogue[g.groups];
        for (int i = 0; i < g.groups; i++) {
            ep[i] = bias == null ? Epilogue.NONE : Epilogue.NONE.rowBias(bias.segment(), (long) i * g.og);
        }
        MemorySegment xs = x.segment(), ys = out.segment();
        boolean pw = pointwise(spec);
        int slices = slices(g.n);
        pool.run(slices, (t, worker) -> {
            for (int b = t * g.n / slices; b < (t + 1) * g.n / slices; b++) {
                long image = (long) b * g.c * g.hw;
                for (int i = 0; i < g.groups; i++) {
                    BPacker packer = pw ? new StridedBPacker(xs, image + (long) i * g.cg * g.hw, g.hw, 1)
                            : new Im2colPacker(xs, image, i * g.cg, g.cg, g.h, g.w, spec);
                    long o = ((long) b * g.outC + (long) i * g.og) * g.ohw;
                    Sgemm.gemm(wg[i], packer, g.ohw, ys, o, g.ohw, 1, false, ep[i], perWorker[worker], WorkerPool.SERIAL);
                }
            }
        });
    }

    @Override
    public void conv2dBackward(Tensor x, Tensor w, Conv2dSpec spec, Tensor dy, Tensor dx, Tensor dw, Tensor db) {
        Geometry g = new Geometry(x, w, spec, dy);
        if (!dw.shape().equals(w.shape()) || dx != null && !dx.shape().equals(x.shape())
                || db != null && db.size() != g.outC) {
            throw new IllegalArgumentException("conv2dBackward: gradients expected dw " + w.shape() + ", dx "
                    + x.shape() + ", db [" + g.outC + "], got " + dw.shape() + ", "
                    + (dx == null ? "none" : dx.shape()) + ", " + (db == null ? "none" : db.shape()));
        }
        scratch.reset();
        if (db != null) biasGradient(dy, db, g.n, g.outC, g.ohw);
        MemorySegment xs = x.segment(), dys = dy.segment(), ws = w.segment();
        int slices = slices(g.n);
        long wSize = w.size();
        MemorySegment acc = scratch.allocate(slices * wSize * 4, 64);
        // Aᵀ sides, packed once per call: dY per image and group, Wᵀ per group.
        PackedA[] dyPacked = new PackedA[g.n * g.groups];
        for (int b = 0; b < g.n; b++) {
            for (int i = 0; i < g.groups; i++) {
                dyPacked[b * g.groups + i] = PackedA.pack(dys, ((long) b * g.outC + (long) i * g.og) * g.ohw,
                        g.ohw, 1, g.og, g.ohw, scratch);
            }
        }
        PackedA[] wT = null;
        MemorySegment cols = null;
        boolean pw = pointwise(spec);
        if (dx != null) {
            wT = new PackedA[g.groups];
            for (int i = 0; i < g.groups; i++) {
                wT[i] = PackedA.pack(ws, (long) i * g.og * g.k, 1, g.k, g.k, g.og, scratch);
            }
            if (!pw) cols = scratch.allocateUninitialized((long) slices * g.k * g.ohw * 4);
        }
        PackedA[] wTf = wT;
        MemorySegment colsF = cols;
        MemorySegment dxs = dx == null ? null : dx.segment();
        pool.run(slices, (t, worker) -> {
            GemmWorkspace gw = perWorker[worker];
            long accOff = t * wSize;
            long colOff = (long) t * g.k * g.ohw;
            for (int b = t * g.n / slices; b < (t + 1) * g.n / slices; b++) {
                long image = (long) b * g.c * g.hw;
                for (int i = 0; i < g.groups; i++) {
                    BPacker xT = new Im2colTransposedPacker(xs, image, i * g.cg, g.cg, g.h, g.w, spec);
                    Sgemm.gemm(dyPacked[b * g.groups + i], xT, g.k, acc, accOff + (long) i * g.og * g.k, g.k, 1,
                            true, Epilogue.NONE, gw, WorkerPool.SERIAL);
                    if (dxs == null) continue;
                    BPacker dyB = new StridedBPacker(dys, ((long) b * g.outC + (long) i * g.og) * g.ohw, g.ohw, 1);
                    long plane = image + (long) i * g.cg * g.hw;
                    if (pw) {
                        Sgemm.gemm(wTf[i], dyB, g.ohw, dxs, plane, g.hw, 1, false, Epilogue.NONE, gw, WorkerPool.SERIAL);
                    } else {
                        Sgemm.gemm(wTf[i], dyB, g.ohw, colsF, colOff, g.ohw, 1, false, Epilogue.NONE, gw,
                                WorkerPool.SERIAL);
                        Col2im.accumulate(colsF, colOff, dxs, plane, g.cg, g.h, g.w, spec);
                    }
                }
            }
        });
        // Slice accumulators into dw, in slice order.
        MemorySegment dws = dw.segment();
        for (int t = 0; t < slices; t++) addInto(acc, t * wSize, dws, wSize);
    }

    private static void biasGradient(Tensor dy, Tensor db, int n, int outC, int ohw) {
        MemorySegment dys = dy.segment();
        for (int o = 0; o < outC; o++) {
            double s = 0;
            for (int b = 0; b < n; b++) s += sum(dys, ((long) b * outC + o) * ohw, ohw);
            db.setFlat(o, (float) (db.getFlat(o) + s));
        }
    }

    /** Σ of {@code len} floats from {@code off}, in vector lanes then across them. */
    private static float sum(MemorySegment s, long off, int len) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            acc = acc.add(FloatVector.fromMemorySegment(S, s, (off + i) * 4, java.nio.ByteOrder.LITTLE_ENDIAN));
        }
        float r = acc.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) r += s.getAtIndex(F, off + i);
        return r;
    }

    /** dst[0, len) += src[off, off + len). */
    private static void addInto(MemorySegment src, long off, MemorySegment dst, long len) {
        long i = 0;
        for (long bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector a = FloatVector.fromMemorySegment(S, dst, i * 4, java.nio.ByteOrder.LITTLE_ENDIAN);
            FloatVector b = FloatVector.fromMemorySegment(S, src, (off + i) * 4, java.nio.ByteOrder.LITTLE_ENDIAN);
            a.add(b).intoMemorySegment(dst, i * 4, java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < len; i++) dst.setAtIndex(F, i, dst.getAtIndex(F, i) + src.getAtIndex(F, off + i));
    }

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
