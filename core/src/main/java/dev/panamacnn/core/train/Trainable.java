package dev.panamacnn.core.train;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Scope;

/**
 * A layer that can be trained: its forward in {@link dev.panamacnn.core.layers.Mode#training
 * training mode} also returns its {@link Backward}. The layer stays a pure description: what the
 * backward needs is captured in the returned closure, intermediates live in the tape's arena and
 * parameter gradients go to the tape's {@link Gradients} under the parameters' own names.
 *
 * <p>The forward computes the same function as {@link Layer#apply} (possibly with faster
 * kernels from {@link Tape#kernels()}), and has the same side effects (batch-norm updates its
 * running statistics when the scope's mode is training).
 */
public interface Trainable {

    /**
     * Runs the layer on {@code x}, recording its backward. With {@code inputGrad} false the
     * backward returns null and may skip computing ∂L/∂x (the first layer of a network).
     */
    Pass forward(Tape tape, Scope scope, Tensor x, boolean inputGrad);

    /** {@code layer} as a trainable one after checking every layer below it too; see {@link #of}. */
    static Trainable checked(Layer layer) {
        Trainable t = of(layer);
        for (Layer.Child c : layer.children()) checked(c.layer());
        return t;
    }

    /** {@code layer} as a trainable one, or an {@link IllegalArgumentException} naming it. */
    static Trainable of(Layer layer) {
        if (layer instanceof Trainable t) return t;
        throw new IllegalArgumentException(layer.describe() + " (" + layer.getClass().getSimpleName()
                + ") has no backward pass; trainable layers: Conv2d, Linear, BatchNorm, Act, Pool2d,"
                + " GlobalPool, Flatten, Dropout, Sequential, Residual");
    }
}
