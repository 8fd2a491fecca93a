package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors in declaration order: a model's parameters or its state. Names are
 * PyTorch-style dotted paths ({@code layer1.0.bn1.running_mean}).
 *
 * <p>Loading weights is {@link #load(String, float[])} or {@link #load(String, Tensor)} (copies
 * values into the existing tensor after a shape check); {@link #replace(String, Tensor)} swaps
 * in another tensor of the same shape.
 */
public final class Variables {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    /** An empty set of variables. */
    public Variables() {}

    /** Adds a new variable; the name must be unused. */
    public void add(String name, Tensor t) {
        if (tensors.putIfAbsent(name, t) != null) {
            throw new IllegalArgumentException("variable '" + name + "' is declared twice");
        }
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no variable named '" + name + "'; known: "
                    + abbreviated());
        }
        return t;
    }

    /** Copies {@code values} (row-major) into the named variable. */
    public void load(String name, float[] values) {
        get(name).copyFrom(values);
    }

    /** Copies {@code source}'s values into the named variable; shapes must match. */
    public void load(String name, Tensor source) {
        Tensor t = get(name);
        if (!t.shape().equals(source.shape())) {
            throw new IllegalArgumentException("variable '" + name + "' has shape " + t.shape()
                    + ", cannot load a tensor of shape " + source.shape());
        }
        t.copyFrom(source);
    }

    /** Replaces the named variable by {@code replacement} (same shape); returns the old tensor. */
    public Tensor replace(String name, Tensor replacement) {
        Tensor old = get(name);
        if (!old.shape().equals(replacement.shape())) {
            throw new IllegalArgumentException("variable '" + name + "' has shape " + old.shape()
                    + ", replacement has shape " + replacement.shape());
        }
        tensors.put(name, replacement);
        return old;
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public Map<String, Tensor> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    public Shape shape(String name) {
        return get(name).shape();
    }

    /** Total number of scalar values. */
    public long count() {
        long n = 0;
        for (Tensor t : tensors.values()) n += t.size();
        return n;
    }

    public int size() {
        return tensors.size();
    }

    private String abbreviated() {
        var names = tensors.keySet().stream().limit(8).toList();
        return names + (tensors.size() > 8 ? " ... (" + tensors.size() + " in all)" : "");
    }
}
