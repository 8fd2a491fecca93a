package dev.panamacnn.simd;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.simd.kernels.DepthwisePadded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Depthwise convolution (groups = input = output channels, strides 1 or 2) with fused bias and
 * clamp, split by planes across the pool: each worker copies one plane at a time into zero-padded
 * phase planes in its slice of the context's {@link PaddedPlanes} and convolves it there
 * ({@link DepthwisePadded}). Other strides take the row kernels ({@code RangeKernels.depthwise}).
 */
final class DepthwiseConvKernel extends RangeKernel {
    private final Ops.Conv op;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment weight, bias;
    private final DepthwisePadded.Geometry geometry;
    private final long scratchPerWorker;
    private final int channels;
    private final float lo, hi;

    DepthwiseConvKernel(Ops.Conv op) {
        super(op.input().dim(0) * op.input().dim(1),
                (long) op.output().dim(2) * op.output().dim(3) * op.spec().kernelH() * op.spec().kernelW());
        this.op = op;
        Shape in = op.input();
        channels = in.dim(1);
        weight = arena.allocateFrom(ValueLayout.JAVA_FLOAT, op.weight());
        bias = arena.allocateFrom(ValueLayout.JAVA_FLOAT, op.bias());
        geometry = new DepthwisePadded.Geometry(in.dim(2), in.dim(3), op.spec());
        scratchPerWorker = (geometry.scratchBytes() + 63) / 64 * 64;
        lo = op.activation().min();
        hi = op.activation().max();
    }

    static boolean supports(Ops.Conv op) {
        int c = op.input().dim(1);
        return op.spec().groups() == c && op.output().dim(1) == c && op.residual() == null
                && DepthwisePadded.applies(op.spec());
    }

    @Override
    public Runnable bind(ExecutionContext ctx) {
        ctx.resource(PaddedPlanes.class, PaddedPlanes::new).reserve(scratchPerWorker * ctx.pool().threads());
        return super.bind(ctx);
    }

    @Override
    void compute(ExecutionContext ctx, int from, int to, int worker) {
        MemorySegment scratch = ctx.boundResource(PaddedPlanes.class).segment();
        MemorySegment ws = ctx.workspace();
        DepthwisePadded.run(ws, op.in().elementOffset(), weight, bias, ws, op.out().elementOffset(), channels,
                geometry, lo, hi, from, to, scratch, worker * scratchPerWorker);
    }

    @Override
    public void close() {
        arena.close();
    }
}
