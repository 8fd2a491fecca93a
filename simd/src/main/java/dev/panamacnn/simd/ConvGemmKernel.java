package dev.panamacnn.simd;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.exec.WorkerPool;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.simd.gemm.BPacker;
import dev.panamacnn.simd.gemm.Epilogue;
import dev.panamacnn.simd.gemm.GemmWorkspace;
import dev.panamacnn.simd.gemm.PackedA;
import dev.panamacnn.simd.gemm.Sgemm;
import dev.panamacnn.simd.gemm.StridedBPacker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Convolution as GEMM, per image and group: {@code out[O_g × OH·OW] = W_g[O_g × C_g·kH·kW] · B}
 * with the (BN-folded) weights packed once here and B packed straight from the image at run time
 * ({@link Im2colPacker}; a 1×1 stride-1 unpadded conv reads the input plane as B directly).
 * Bias, residual and clamp run in the GEMM's epilogue, so conv+BN+ReLU(+add) is one pass.
 */
final class ConvGemmKernel implements Kernel {
    private final Ops.Conv op;
    private final Arena arena = Arena.ofShared();
    private final PackedA[] weights; // per group
    private final MemorySegment bias;
    private final int groups, cg, og, c, h, w, oh, ow;
    private final boolean pointwise;

    ConvGemmKernel(Ops.Conv op) {
        this.op = op;
        Conv2dSpec s = op.spec();
        Shape in = op.input(), out = op.output();
        c = in.dim(1);
        h = in.dim(2);
        w = in.dim(3);
        oh = out.dim(2);
        ow = out.dim(3);
        groups = s.groups();
        cg = c / groups;
        og = out.dim(1) / groups;
        int k = cg * s.kernelH() * s.kernelW();
        pointwise = s.kernelH() == 1 && s.kernelW() == 1 && s.strideH() == 1 && s.strideW() == 1
                && s.padTop() == 0 && s.padLeft() == 0 && s.padBottom() == 0 && s.padRight() == 0;
        MemorySegment wSeg = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, op.weight());
        weights = new PackedA[groups];
        for (int g = 0; g < groups; g++) {
            weights[g] = PackedA.pack(wSeg, (long) g * og * k, k, 1, og, k, arena);
        }
        bias = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, op.bias());
    }

    @Override
    public Runnable bind(ExecutionContext ctx) {
        MemorySegment ws = ctx.workspace();
        GemmWorkspace gemmWs = ctx.resource(GemmWorkspace.class, () -> GemmWorkspace.create(ctx.pool().threads()));
        int n = op.input().dim(0);
        BPacker[] packers = new BPacker[n * groups];
        Epilogue[] epilogues = new Epilogue[n * groups];
        long[] outOffsets = new long[n * groups];
        long hw = (long) h * w, ohw = (long) oh * ow;
        for (int b = 0; b < n; b++) {
            long image = op.in().elementOffset() + b * c * hw;
            for (int g = 0; g < groups; g++) {
                int i = b * groups + g;
                packers[i] = pointwise
                        ? new StridedBPacker(ws, image + (long) g * cg * hw, hw, 1)
                        : new Im2colPacker(ws, image, g * cg, cg, h, w, op.spec());
                outOffsets[i] = op.out().elementOffset() + ((long) b * groups * og + (long) g * og) * ohw;
                Epilogue e = Epilogue.NONE.rowBias(bias, (long) g * og)
                        .clamp(op.activation().min(), op.activation().max());
                if (op.residual() != null) {
                    e = e.residual(ws, op.residual().elementOffset() + outOffsets[i] - op.out().elementOffset(), ohw, 1);
                }
                epilogues[i] = e;
            }
        }
        WorkerPool pool = ctx.pool();
        int cols = (int) ohw;
        return () -> {
            for (int i = 0; i < packers.length; i++) {
                Sgemm.gemm(weights[i % groups], packers[i], cols, ws, outOffsets[i], ohw, 1, false,
                        epilogues[i], gemmWs, pool);
            }
        };
    }

    @Override
    public void close() {
        arena.close();
    }
}
