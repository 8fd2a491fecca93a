package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.train.Pass;
import dev.panamacnn.core.train.Tape;
import dev.panamacnn.core.train.Trainable;

/** {@code [N, d1, d2, ...] -> [N, d1·d2·...]}: a view, no copy. */
public record Flatten() implements Layer, Trainable {

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
    public Pass forward(Tape tape, Scope scope, Tensor x, boolean inputGrad) {
        return new Pass(apply(scope, x), dy -> inputGrad ? dy.reshape(x.shape()) : null);
    }

    @Override
    public String describe() {
        return "Flatten";
    }
}
