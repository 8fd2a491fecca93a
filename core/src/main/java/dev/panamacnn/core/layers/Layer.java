package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.util.List;

/**
 * A layer is a function from tensor to tensor: {@code y = apply(scope, x)}.
 *
 * <p>A layer is a pure description. It owns no tensors: its trainable parameters (weights,
 * bias, γ, β) and its state (batch-norm running statistics) live in {@link Variables} that the
 * caller passes through a {@link Scope}, under names that match PyTorch's {@code state_dict}
 * ({@code layer1.0.conv1.weight}), so loading weights is a name lookup. Training vs inference is
 * the scope's explicit {@link Mode}, never a global.
 *
 * <p>Composites ({@link Sequential}, {@link Residual}) expose their {@link #children()}.
 */
public interface Layer {

    /** Output shape for an input shape; throws {@link IllegalArgumentException} naming expected vs actual. */
    Shape outputShape(Shape input);

    /** Computes the layer; intermediate and output tensors are allocated in {@code scope.arena()}. */
    Tensor apply(Scope scope, Tensor x);

    /** This layer's own variables (not its children's), with names relative to the layer. */
    default List<Variable> variables() {
        return List.of();
    }

    /** Named sub-layers; an empty name means the child shares this layer's scope. */
    default List<Child> children() {
        return List.of();
    }

    /** Floating-point operations of this layer alone for one call on {@code input} (a multiply-add is 2). */
    default long flops(Shape input) {
        return 0;
    }

    /** A one-line description for summaries, e.g. {@code Conv2d(3→64, 7×7, stride 2, pad 3)}. */
    String describe();

    /** Adds this layer's rows to a summary; composites recurse into their children. */
    default void summarize(String name, Shape input, Summary.Builder summary) {
        summary.row(name, this, input, outputShape(input));
    }

    /** A named sub-layer. */
    record Child(String name, Layer layer) {
        public Child {
            if (name == null || layer == null) {
                throw new IllegalArgumentException("child name and layer must be non-null");
            }
            if (name.contains(".")) {
                throw new IllegalArgumentException("child name '" + name + "' must not contain '.'");
            }
        }
    }
}
