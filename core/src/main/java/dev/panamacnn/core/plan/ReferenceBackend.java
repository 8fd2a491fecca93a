package dev.panamacnn.core.plan;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.core.reference.DenseRef;
import dev.panamacnn.core.reference.EltwiseRef;
import dev.panamacnn.core.reference.NormRef;
import dev.panamacnn.core.reference.PoolRef;
import dev.panamacnn.core.reference.SoftmaxRef;

/**
 * Runs a compiled model on the scalar reference kernels: slow, but every fused, folded and
 * planned step is computed by the specification itself. It checks the planner, and it is the
 * fallback when the Vector API is unavailable. Wraps buffers in tensor views per run (it does
 * not aim at zero allocation).
 */
public final class ReferenceBackend implements Backend {
    public static final ReferenceBackend INSTANCE = new ReferenceBackend();

    private ReferenceBackend() {}

    @Override
    public String name() {
        return "reference";
    }

    static Tensor view(ExecutionContext ctx, BufferRef ref, Shape shape) {
        return Tensor.wrap(ctx.workspace().asSlice(ref.byteOffset()), shape);
    }

    /** y = clamp(y + residual) in place; residual may be null. */
    static void epilogue(Tensor y, Tensor residual, Activation act) {
        if (residual != null) EltwiseRef.add(y, residual, y);
        EltwiseRef.activation(y, act, y);
    }

    private static Tensor owned(float[] data, int... dims) {
        return Tensor.allocate(Shape.of(dims)).copyFrom(data);
    }

    /** A kernel whose data tensors are closed with it. */
    private record Simple(java.util.function.Function<ExecutionContext, Runnable> binder, Tensor... owned)
            implements Kernel {
        @Override
        public Runnable bind(ExecutionContext ctx) {
            return binder.apply(ctx);
        }

        @Override
        public void close() {
            for (Tensor t : owned) t.close();
        }
    }

    @Override
    public Kernel conv(Ops.Conv op) {
        Shape ws = op.spec().weightShape(op.input().dim(1), op.output().dim(1));
        Tensor w = owned(op.weight(), ws.dims());
        Tensor b = owned(op.bias(), op.output().dim(1));
        return new Simple(ctx -> () -> {
            Tensor y = view(ctx, op.out(), op.output());
            ConvRef.conv2d(view(ctx, op.in(), op.input()), w, b, op.spec(), y);
            epilogue(y, op.residual() == null ? null : view(ctx, op.residual(), op.output()), op.activation());
        }, w, b);
    }

    @Override
    public Kernel linear(Ops.Linear op) {
        Tensor w = owned(op.weight(), op.output().dim(1), op.input().dim(1));
        Tensor b = owned(op.bias(), op.output().dim(1));
        return new Simple(ctx -> () -> {
            Tensor y = view(ctx, op.out(), op.output());
            DenseRef.linear(view(ctx, op.in(), op.input()), w, b, y);
            epilogue(y, null, op.activation());
        }, w, b);
    }

    @Override
    public Kernel pool(Ops.Pool op) {
        return new Simple(ctx -> () -> {
            Tensor x = view(ctx, op.in(), op.input()), y = view(ctx, op.out(), op.output());
            if (op.max()) PoolRef.maxPool2d(x, op.spec(), y);
            else PoolRef.avgPool2d(x, op.spec(), y);
        });
    }

    @Override
    public Kernel globalPool(Ops.GlobalPool op) {
        Shape out = Shape.of(op.input().dim(0), op.input().dim(1), 1, 1);
        return new Simple(ctx -> () -> {
            Tensor x = view(ctx, op.in(), op.input()), y = view(ctx, op.out(), out);
            if (op.max()) PoolRef.globalMaxPool(x, y);
            else PoolRef.globalAvgPool(x, y);
        });
    }

    @Override
    public Kernel affine(Ops.Affine op) {
        int c = op.shape().dim(1);
        float[] zeros = new float[c], ones = new float[c];
        java.util.Arrays.fill(ones, 1f);
        // y = x·scale + shift is batch-norm inference with γ = scale, β = shift, mean 0, var 1, ε 0.
        Tensor scale = owned(op.scale(), c), shift = owned(op.shift(), c);
        Tensor mean = owned(zeros, c), var = owned(ones, c);
        return new Simple(ctx -> () -> {
            Tensor y = view(ctx, op.out(), op.shape());
            NormRef.batchNormInference(view(ctx, op.in(), op.shape()), scale, shift, mean, var, 0f, y);
            epilogue(y, null, op.activation());
        }, scale, shift, mean, var);
    }

    @Override
    public Kernel add(Ops.Add op) {
        return new Simple(ctx -> () -> {
            Tensor y = view(ctx, op.out(), op.shape());
            EltwiseRef.add(view(ctx, op.a(), op.shape()), view(ctx, op.b(), op.shape()), y);
            EltwiseRef.activation(y, op.activation(), y);
        });
    }

    @Override
    public Kernel activation(Ops.Act op) {
        return new Simple(ctx -> () -> EltwiseRef.activation(view(ctx, op.in(), op.shape()), op.activation(),
                view(ctx, op.out(), op.shape())));
    }

    @Override
    public Kernel softmax(Ops.Softmax op) {
        return new Simple(ctx -> () -> SoftmaxRef.softmax(view(ctx, op.in(), op.shape()), op.axis(),
                view(ctx, op.out(), op.shape())));
    }

    @Override
    public Kernel copy(Ops.Copy op) {
        return new Simple(ctx -> () -> view(ctx, op.out(), op.shape()).copyFrom(view(ctx, op.in(), op.shape())));
    }
}
