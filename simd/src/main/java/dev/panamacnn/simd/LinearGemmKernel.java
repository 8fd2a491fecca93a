package dev.panamacnn.simd;

import dev.panamacnn.core.exec.WorkerPool;
import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.simd.gemm.BPacker;
import dev.panamacnn.simd.gemm.Epilogue;
import dev.panamacnn.simd.gemm.GemmWorkspace;
import dev.panamacnn.simd.gemm.Gemv;
import dev.panamacnn.simd.gemm.PackedA;
import dev.panamacnn.simd.gemm.Sgemm;
import dev.panamacnn.simd.gemm.StridedBPacker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Dense layer as GEMM on the transposed problem {@code yᵀ[O × N] = W[O × F] · xᵀ[F × N]}: the
 * weights are the packed-once A side, the batch is read as B, and C is stored transposed into
 * the row-major {@code [N, O]} output. The bias is a per-row (per-output) epilogue term.
 */
final class LinearGemmKernel implements Kernel {
    private final Ops.Linear op;
    private final Arena arena = Arena.ofShared();
    private final PackedA weights;
    private final MemorySegment bias;

    LinearGemmKernel(Ops.Linear op) {
        this.op = op;
        int o = op.output().dim(1), f = op.input().dim(1);
        MemorySegment w = arena.allocateFrom(ValueLayout.JAVA_FLOAT, op.weight());
        weights = PackedA.pack(w, 0, f, 1, o, f, arena);
        bias = arena.allocateFrom(ValueLayout.JAVA_FLOAT, op.bias());
    }

    @Override
    public Runnable bind(ExecutionContext ctx) {
        MemorySegment ws = ctx.workspace();
        GemmWorkspace gemmWs = ctx.resource(GemmWorkspace.class, () -> GemmWorkspace.create(ctx.pool().threads()));
        int n = op.input().dim(0), f = op.input().dim(1), o = op.output().dim(1);
        BPacker xT = new StridedBPacker(ws, op.in().elementOffset(), 1, f);
        Epilogue e = Epilogue.NONE.rowBias(bias, 0).clamp(op.activation().min(), op.activation().max());
        long out = op.out().elementOffset();
        WorkerPool pool = ctx.pool();
        if (n == 1 && Gemv.AVAILABLE) return gemv(ctx);
        return () -> Sgemm.gemm(weights, xT, n, ws, out, 1, o, false, e, gemmWs, pool);
    }

    /** Batch 1: matrix × vector, split by weight panels across the pool when there is enough of it. */
    private Runnable gemv(ExecutionContext ctx) {
        MemorySegment ws = ctx.workspace();
        long x = op.in().byteOffset(), y = op.out().byteOffset();
        float lo = op.activation().min(), hi = op.activation().max();
        int panels = Gemv.panels(weights);
        long weightBytes = (long) weights.m() * weights.k() * Float.BYTES;
        int tasks = (int) Math.max(1, Math.min(Math.min(panels, 4L * ctx.pool().threads()), weightBytes / (256 * 1024)));
        if (tasks == 1) return () -> Gemv.run(weights, 0, panels, ws, x, bias, ws, y, lo, hi);
        dev.panamacnn.core.exec.ParallelTask task = (t, worker) -> Gemv.run(weights, t * panels / tasks,
                (t + 1) * panels / tasks, ws, x, bias, ws, y, lo, hi);
        return () -> ctx.pool().run(tasks, task);
    }

    @Override
    public void close() {
        arena.close();
    }
}
