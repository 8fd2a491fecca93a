package dev.panamacnn.simd;

import dev.panamacnn.core.plan.Backend;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import dev.panamacnn.core.plan.ReferenceBackend;

/**
 * The Vector API backend. Obtain it through {@link SimdBackends#fastest()}, which checks that
 * the JVM can run it.
 */
public final class SimdBackend implements Backend {
    private static final SimdBackend INSTANCE = new SimdBackend();

    private SimdBackend() {}

    static SimdBackend instance() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public Kernel conv(Ops.Conv op) {
        int c = op.input().dim(1), o = op.output().dim(1);
        boolean depthwise = op.spec().groups() == c && c == o;
        if (depthwise && op.residual() == null) return RangeKernels.depthwise(op);
        return new ConvGemmKernel(op);
    }

    @Override
    public Kernel linear(Ops.Linear op) {
        return new LinearGemmKernel(op);
    }

    @Override
    public Kernel pool(Ops.Pool op) {
        return RangeKernels.pool(op);
    }

    @Override
    public Kernel globalPool(Ops.GlobalPool op) {
        return RangeKernels.globalPool(op);
    }

    @Override
    public Kernel affine(Ops.Affine op) {
        return RangeKernels.affine(op);
    }

    @Override
    public Kernel add(Ops.Add op) {
        return RangeKernels.add(op);
    }

    @Override
    public Kernel activation(Ops.Act op) {
        return RangeKernels.activation(op);
    }

    @Override
    public Kernel softmax(Ops.Softmax op) {
        boolean lastAxis = op.axis() == op.shape().rank() - 1;
        return lastAxis ? RangeKernels.softmax(op) : ReferenceBackend.INSTANCE.softmax(op);
    }

    @Override
    public Kernel binary(Ops.Binary op) {
        return RangeKernels.binary(op);
    }

    @Override
    public Kernel copy(Ops.Copy op) {
        long bytes = op.shape().size() * Float.BYTES;
        return ctx -> () -> java.lang.foreign.MemorySegment.copy(ctx.workspace(), op.in().byteOffset(),
                ctx.workspace(), op.out().byteOffset(), bytes);
    }
}
