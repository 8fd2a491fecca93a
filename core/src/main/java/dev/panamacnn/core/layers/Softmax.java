package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.SoftmaxRef;

/** Softmax over the class axis (axis 1 of {@code [N, classes]}), numerically stable. */
public record Softmax(int axis) implements Layer {

    public static Softmax ofClasses() {
        return new Softmax(1);
    }

    @Override
    public Shape outputShape(Shape input) {
        int a = axis < 0 ? input.rank() + axis : axis;
        if (a < 0 || a >= input.rank()) {
            throw new IllegalArgumentException("Softmax: axis " + axis + " out of range for " + input);
        }
        return input;
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        return SoftmaxRef.softmax(x, axis, scope.arena());
    }

    @Override
    public long flops(Shape input) {
        return 3 * input.size();
    }

    @Override
    public String describe() {
        return "Softmax(axis " + axis + ")";
    }
}
