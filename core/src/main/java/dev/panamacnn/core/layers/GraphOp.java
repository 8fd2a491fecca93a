package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.util.List;

/**
 * What a {@link Dag} node computes: a function of any number of named tensors. A single-input
 * {@link Layer} becomes one with {@link #of(Layer)}; {@link Binary}, {@link Concat},
 * {@link MatMul} and {@link Constant} take several inputs or none.
 */
public interface GraphOp {

    /** How many inputs the op takes, or -1 for any number ≥ 1 (concat). */
    int arity();

    /** Output shape for the input shapes; throws {@link IllegalArgumentException} naming the mismatch. */
    Shape outputShape(List<Shape> inputs);

    /** Computes the op; new tensors go to {@code scope.arena()}. */
    Tensor apply(Scope scope, List<Tensor> inputs);

    /** The op's own variables, with local names ({@code weight}) that the node binds to graph-wide names. */
    default List<Variable> variables() {
        return List.of();
    }

    default long flops(List<Shape> inputs) {
        return 0;
    }

    String describe();

    /** A single-input layer as a graph op. */
    static GraphOp of(Layer layer) {
        return new Unary(layer);
    }

    /** The adapter from {@link Layer}. */
    record Unary(Layer layer) implements GraphOp {
        public Unary {
            if (layer == null) throw new IllegalArgumentException("layer must not be null");
            if (!layer.children().isEmpty()) {
                throw new IllegalArgumentException("a graph node holds a single layer, not a composite ("
                        + layer.describe() + "); add its parts as nodes");
            }
        }

        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape outputShape(List<Shape> inputs) {
            return layer.outputShape(inputs.getFirst());
        }

        @Override
        public Tensor apply(Scope scope, List<Tensor> inputs) {
            return layer.apply(scope, inputs.getFirst());
        }

        @Override
        public List<Variable> variables() {
            return layer.variables();
        }

        @Override
        public long flops(List<Shape> inputs) {
            return layer.flops(inputs.getFirst());
        }

        @Override
        public String describe() {
            return layer.describe();
        }
    }
}
