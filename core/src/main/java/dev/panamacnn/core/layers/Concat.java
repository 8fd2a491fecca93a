package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.LayoutRef;
import java.util.List;

/** Concatenation of all inputs along {@code axis} (Inception, SqueezeNet fire, ShuffleNet, DenseNet). */
public record Concat(int axis) implements GraphOp {

    @Override
    public int arity() {
        return -1;
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return LayoutRef.concatShape(inputs, axis);
    }

    @Override
    public Tensor apply(Scope scope, List<Tensor> inputs) {
        Tensor y = Tensor.allocate(scope.arena(), outputShape(inputs.stream().map(Tensor::shape).toList()));
        LayoutRef.concat(inputs, axis, y);
        return y;
    }

    @Override
    public String describe() {
        return "Concat(axis " + axis + ")";
    }
}
