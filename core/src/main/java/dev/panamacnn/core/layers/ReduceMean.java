package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.ReduceRef;
import java.util.Arrays;

/** Mean over {@code axes}, keeping them as size 1 or removing them. */
public record ReduceMean(int[] axes, boolean keepDims) implements Layer {

    public ReduceMean {
        axes = axes.clone();
    }

    @Override
    public Shape outputShape(Shape input) {
        return ReduceRef.meanShape(input, axes, keepDims);
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        Tensor y = Tensor.allocate(scope.arena(), outputShape(x.shape()));
        ReduceRef.mean(x, axes, keepDims, y);
        return y;
    }

    @Override
    public long flops(Shape input) {
        return input.size();
    }

    @Override
    public String describe() {
        return "ReduceMean(axes " + Arrays.toString(axes) + (keepDims ? ", keep dims)" : ")");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReduceMean r && Arrays.equals(axes, r.axes) && keepDims == r.keepDims;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(axes) * 2 + (keepDims ? 1 : 0);
    }

    @Override
    public String toString() {
        return describe();
    }
}
