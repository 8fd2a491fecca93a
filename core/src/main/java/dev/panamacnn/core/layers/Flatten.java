package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;

/** {@code [N, d1, d2, ...] -> [N, d1·d2·...]}: a view, no copy. */
public record Flatten() implements Layer {

    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() < 1) {
            throw new IllegalArgumentException("Flatten: input must have a batch axis, got " + input);
        }
        return Shape.of(input.dim(0), Math.toIntExact(input.sizeFrom(1)));
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        return x.reshape(outputShape(x.shape()));
    }

    @Override
    public String describe() {
        return "Flatten";
    }
}
