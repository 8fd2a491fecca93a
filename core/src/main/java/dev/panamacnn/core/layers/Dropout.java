package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.DropoutRef;

/**
 * Dropout with probability {@code p}: in training, each activation is zeroed with probability p
 * and the survivors are scaled by 1/(1 − p) (inverted dropout, expectation unchanged); in
 * inference it is the identity.
 */
public record Dropout(float p) implements Layer {

    public Dropout {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        if (!scope.mode().training()) {
            return x;
        }
        return DropoutRef.dropoutTraining(x, p, scope.random(), scope.arena());
    }

    @Override
    public String describe() {
        return "Dropout(" + p + ")";
    }
}
