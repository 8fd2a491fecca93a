package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.reference.PoolRef;

/** Max or average pooling over k×k windows; no trainable parameters. */
public record Pool2d(boolean maximum, Pool2dSpec spec) implements Layer {

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
