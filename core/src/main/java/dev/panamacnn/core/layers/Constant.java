package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.util.List;

/**
 * A node without inputs whose value is the parameter {@code value} of the given shape: an
 * operand such as a per-channel scale or a matrix, loaded like any weight.
 */
public record Constant(Shape shape) implements GraphOp {

    public static final String VALUE = "value";

    @Override
    public int arity() {
        return 0;
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return shape;
    }

    @Override
    public Tensor apply(Scope scope, List<Tensor> inputs) {
        return scope.param(VALUE);
    }

    @Override
    public List<Variable> variables() {
        return List.of(Variable.parameter(VALUE, shape, Variable.Init.ZEROS));
    }

    @Override
    public String describe() {
        return "Constant" + shape;
    }
}
