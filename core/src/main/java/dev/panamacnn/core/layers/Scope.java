package dev.panamacnn.core.layers;

import dev.panamacnn.core.Tensor;
import java.lang.foreign.Arena;
import java.util.random.RandomGenerator;

/**
 * What a layer sees while it runs: its variables (looked up by name under the layer's prefix),
 * the mode, and the arena that receives the tensors it produces.
 */
public final class Scope {
    private final String prefix;
    private final Variables params;
    private final Variables state;
    private final Mode mode;
    private final Arena arena;

    private Scope(String prefix, Variables params, Variables state, Mode mode, Arena arena) {
        this.prefix = prefix;
        this.params = params;
        this.state = state;
        this.mode = mode;
        this.arena = arena;
    }

    public static Scope root(Variables params, Variables state, Mode mode, Arena arena) {
        return new Scope("", params, state, mode, arena);
    }

    /** The scope of a child layer; an empty name shares this scope. */
    public Scope child(String name) {
        return name.isEmpty() ? this : new Scope(prefix + name + ".", params, state, mode, arena);
    }

    /** The trainable parameter {@code name} of the current layer (e.g. "weight"). */
    public Tensor param(String name) {
        return params.get(prefix + name);
    }

    /** The state variable {@code name} of the current layer (e.g. "running_mean"). */
    public Tensor state(String name) {
        return state.get(prefix + name);
    }

    public Mode mode() {
        return mode;
    }

    public Arena arena() {
        return arena;
    }

    /** Full dotted name of a variable of the current layer. */
    public String qualify(String name) {
        return prefix + name;
    }

    /**
     * A generator for this layer and this forward pass: seeded from the mode's seed and the
     * layer's name, so two dropout layers never share a mask and reruns are reproducible.
     */
    public RandomGenerator random() {
        return Tensor.rng(mode.seed() * 0x9E3779B97F4A7C15L + prefix.hashCode());
    }
}
