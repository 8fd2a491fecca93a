package dev.panamacnn.core.train;

import dev.panamacnn.core.Tensor;

/**
 * The backward half of one recorded forward call: maps ∂L/∂y to ∂L/∂x and, on the way, adds the
 * layer's parameter gradients into the step's {@link Gradients}. A closure over the tensors the
 * forward saved (its input, batch statistics, a dropout mask), which live in the step's arena.
 */
@FunctionalInterface
public interface Backward {
    /** Returns ∂L/∂x, or null when the forward was told its input needs no gradient. */
    Tensor apply(Tensor dy);
}
