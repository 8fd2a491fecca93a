package dev.panamacnn.core.train;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Scope;

/**
 * What a training forward needs besides its scope: the kernels to run, where to put
 * intermediates (a {@link StepArena} reset after every step) and where to add parameter
 * gradients. One tape per training loop; not thread-safe (kernels may use threads inside).
 */
public final class Tape {
    private final TrainingKernels kernels;
    private final Gradients gradients;
    private final StepArena arena;

    public Tape(TrainingKernels kernels, Gradients gradients, StepArena arena) {
        this.kernels = kernels;
        this.gradients = gradients;
        this.arena = arena;
    }

    public TrainingKernels kernels() {
        return kernels;
    }

    public Gradients gradients() {
        return gradients;
    }

    public StepArena arena() {
        return arena;
    }

    /** The gradient tensor of the current layer's parameter {@code name} (e.g. "weight"). */
    public Tensor grad(Scope scope, String name) {
        return gradients.get(scope.qualify(name));
    }

    /** A zero-filled tensor for this step. */
    public Tensor zeros(Shape shape) {
        return Tensor.allocate(arena, shape);
    }

    /** A tensor for this step with unspecified contents, for outputs a kernel overwrites entirely. */
    public Tensor uninitialized(Shape shape) {
        return Tensor.wrap(arena.allocateUninitialized(shape.size() * Float.BYTES), shape);
    }
}
