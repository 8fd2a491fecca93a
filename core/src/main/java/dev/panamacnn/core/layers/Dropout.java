package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.DropoutRef;
import dev.panamacnn.core.train.Pass;
import dev.panamacnn.core.train.Tape;
import dev.panamacnn.core.train.Trainable;

/**
 * Dropout with probability {@code p}: in training, each activation is zeroed with probability p
 * and the survivors are scaled by 1/(1 − p) (inverted dropout, expectation unchanged); in
 * inference it is the identity.
 */
public record Dropout(float p) implements Layer, Trainable {

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

    /** The mask drawn in the forward (seeded by the mode and the layer's name) is kept for the backward. */
    @Override
    public Pass forward(Tape tape, Scope scope, Tensor x, boolean inputGrad) {
        if (!scope.mode().training()) {
            return new Pass(x, dy -> inputGrad ? dy : null);
        }
        Tensor y = tape.uninitialized(x.shape()), mask = tape.uninitialized(x.shape());
        tape.kernels().dropout(x, p, scope.random(), y, mask);
        return new Pass(y, dy -> {
            if (!inputGrad) return null;
            Tensor dx = tape.uninitialized(x.shape());
            tape.kernels().multiply(dy, mask, dx);
            return dx;
        });
    }

    @Override
    public String describe() {
        return "Dropout(" + p + ")";
    }
}
