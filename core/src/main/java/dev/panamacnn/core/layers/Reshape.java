package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.util.Arrays;

/**
 * A view with another shape over the same elements (no copy): flatten at any axis, squeeze,
 * unsqueeze, the reshapes of a channel shuffle. One target dimension may be -1 (inferred).
 */
public record Reshape(int[] target) implements Layer {

    public Reshape {
        target = target.clone();
    }

    public static Reshape to(int... target) {
        return new Reshape(target);
    }

    @Override
    public Shape outputShape(Shape input) {
        return input.reshape(target);
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        return x.reshape(target);
    }

    @Override
    public String describe() {
        return "Reshape" + Arrays.toString(target);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reshape r && Arrays.equals(target, r.target);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(target);
    }

    @Override
    public String toString() {
        return describe();
    }
}
