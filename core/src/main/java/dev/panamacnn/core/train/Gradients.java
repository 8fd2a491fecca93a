package dev.panamacnn.core.train;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Variables;
import java.lang.foreign.Arena;
import java.util.Map;
import java.util.Set;

/**
 * ∂L/∂θ for every trainable parameter, under exactly the parameter's name and shape
 * ({@code conv1.weight} → its gradient). Backward passes add into these tensors, so call
 * {@link #zero()} before each step (the {@link Trainer} does).
 */
public final class Gradients {
    private final Variables grads = new Variables();

    private Gradients() {}

    /** Zero gradients shaped like {@code params}, in {@code arena}. */
    public static Gradients like(Variables params, Arena arena) {
        Gradients g = new Gradients();
        for (var e : params.asMap().entrySet()) {
            g.grads.add(e.getKey(), Tensor.allocate(arena, e.getValue().shape()));
        }
        return g;
    }

    /** The gradient of the parameter {@code name}. */
    public Tensor get(String name) {
        return grads.get(name);
    }

    public boolean contains(String name) {
        return grads.contains(name);
    }

    public Set<String> names() {
        return grads.names();
    }

    public Map<String, Tensor> asMap() {
        return grads.asMap();
    }

    /** The gradients as {@link Variables} (same names), e.g. to save them. */
    public Variables variables() {
        return grads;
    }

    public void zero() {
        for (Tensor t : grads.asMap().values()) t.segment().fill((byte) 0);
    }
}
