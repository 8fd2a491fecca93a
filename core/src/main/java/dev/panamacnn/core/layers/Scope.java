package dev.panamacnn.core.layers;

import dev.panamacnn.core.Tensor;
import java.lang.foreign.Arena;
import java.util.Map;
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
    /** Local variable name → name relative to {@link #prefix} (a {@link Dag} node's bindings); empty otherwise. */
    private final Map<String, String> bindings;
    /** Seeds {@link #random()} apart for graph nodes that share a prefix. */
    private final String node;

    private Scope(String prefix, Variables params, Variables state, Mode mode, Arena arena,
                  Map<String, String> bindings, String node) {
        this.prefix = prefix;
        this.params = params;
        this.state = state;
        this.mode = mode;
        this.arena = arena;
        this.bindings = bindings;
        this.node = node;
    }

    public static Scope root(Variables params, Variables state, Mode mode, Arena arena) {
        return new Scope("", params, state, mode, arena, Map.of(), "");
    }

    /** The scope of a child layer; an empty name shares this scope. */
    public Scope child(String name) {
        return name.isEmpty() && bindings.isEmpty() && node.isEmpty() ? this
                : new Scope(name.isEmpty() ? prefix : prefix + name + ".", params, state, mode, arena, Map.of(), "");
    }

    /**
     * The scope of a graph node whose variables have their own names: {@code param("weight")}
     * reads {@code prefix + bindings.get("weight")} (e.g. an ONNX initializer name).
     */
    public Scope bound(String node, Map<String, String> bindings) {
        return new Scope(prefix, params, state, mode, arena, Map.copyOf(bindings), node);
    }

    /** The trainable parameter {@code name} of the current layer (e.g. "weight"). */
    public Tensor param(String name) {
        return params.get(qualify(name));
    }

    /** The state variable {@code name} of the current layer (e.g. "running_mean"). */
    public Tensor state(String name) {
        return state.get(qualify(name));
    }

    public Mode mode() {
        return mode;
    }

    public Arena arena() {
        return arena;
    }

    /** Full dotted name of a variable of the current layer. */
    public String qualify(String name) {
        return prefix + bindings.getOrDefault(name, name);
    }

    /**
     * A generator for this layer and this forward pass: seeded from the mode's seed and the
     * layer's name, so two dropout layers never share a mask and reruns are reproducible.
     */
    public RandomGenerator random() {
        return Tensor.rng(mode.seed() * 0x9E3779B97F4A7C15L + (node.isEmpty() ? prefix : prefix + node).hashCode());
    }
}
