package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.reference.PoolRef;
import dev.panamacnn.core.train.Pass;
import dev.panamacnn.core.train.Tape;
import dev.panamacnn.core.train.Trainable;

/** Max or average pooling over k×k windows; no trainable parameters. */
public record Pool2d(boolean maximum, Pool2dSpec spec) implements Layer, Trainable {

    public static Pool2d max(Pool2dSpec spec) {
        return new Pool2d(true, spec);
    }

    public static Pool2d avg(Pool2dSpec spec) {
        return new Pool2d(false, spec);
    }

    /** k×k max pooling with stride s and symmetric padding p. */
    public static Pool2d max(int k, int s, int p) {
        return new Pool2d(true, Pool2dSpec.of(k).stride(s).padding(p));
    }

    public static Pool2d avg(int k, int s, int p) {
        return new Pool2d(false, Pool2dSpec.of(k).stride(s).padding(p));
    }

    @Override
    public Shape outputShape(Shape input) {
        return spec.outputShape(input);
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        return maximum ? PoolRef.maxPool2d(x, spec, scope.arena()) : PoolRef.avgPool2d(x, spec, scope.arena());
    }

    /** Max pooling routes each gradient to its window's winner (recomputed from x); average spreads it. */
    @Override
    public Pass forward(Tape tape, Scope scope, Tensor x, boolean inputGrad) {
        Tensor y = tape.uninitialized(outputShape(x.shape()));
        if (maximum) tape.kernels().maxPool2d(x, spec, y);
        else tape.kernels().avgPool2d(x, spec, y);
        return new Pass(y, dy -> {
            if (!inputGrad) return null;
            Tensor dx = tape.uninitialized(x.shape());
            if (maximum) tape.kernels().maxPool2dBackward(x, spec, dy, dx);
            else tape.kernels().avgPool2dBackward(x, spec, dy, dx);
            return dx;
        });
    }

    @Override
    public long flops(Shape input) {
        return outputShape(input).size() * spec.kernelH() * spec.kernelW();
    }

    @Override
    public String describe() {
        return (maximum ? "MaxPool2d(" : "AvgPool2d(") + spec.kernelH() + "×" + spec.kernelW()
                + ", stride " + spec.strideH() + (spec.padTop() != 0 ? ", pad " + spec.padTop() : "")
                + (spec.ceilMode() ? ", ceil" : "") + ")";
    }
}
