package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.lang.foreign.Arena;
import java.util.Arrays;

/**
 * A layer together with its variables: the parameters and state for one input shape, held in an
 * arena the model owns ({@link #close()} frees them).
 *
 * <p>{@link #forward} runs the reference kernels: intermediates live in a scratch arena that is
 * freed before it returns; only the output is allocated in the caller's arena. The batch size
 * may differ from the one the model was built with; every other dimension must match.
 */
public final class Model implements AutoCloseable {
    private final Layer layer;
    private final Shape inputShape;
    private final Variables params = new Variables();
    private final Variables state = new Variables();
    private final Arena arena = Arena.ofShared();

    private Model(Layer layer, Shape inputShape) {
        this.layer = layer;
        this.inputShape = inputShape;
    }

    /**
     * Builds the model's variables for {@code inputShape}, initialised from {@code seed}
     * (each variable seeded from the seed and its name). Validates all shapes up front.
     */
    public static Model init(Layer layer, Shape inputShape, long seed) {
        layer.outputShape(inputShape);
        Model m = new Model(layer, inputShape);
        try {
            m.declare("", layer, seed);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    private void declare(String prefix, Layer l, long seed) {
        for (Variable v : l.variables()) {
            String name = Summary.join(prefix, v.name());
            Tensor t = Tensor.allocate(arena, v.shape());
            v.init().fill(t, seed * 0x9E3779B97F4A7C15L + name.hashCode());
            (v.trainable() ? params : state).add(name, t);
        }
        for (Layer.Child c : l.children()) {
            declare(Summary.join(prefix, c.name()), c.layer(), seed);
        }
    }

    /** Runs the model on {@code x} and returns the output, allocated in {@code out}. */
    public Tensor forward(Tensor x, Mode mode, Arena out) {
        checkInput(x.shape());
        layer.outputShape(x.shape());
        try (Arena scratch = Arena.ofConfined()) {
            Tensor y = layer.apply(Scope.root(params, state, mode, scratch), x);
            return y.copy(out);
        }
    }

    /** Throws unless {@code shape} equals the model's input shape, the batch size aside. */
    public void checkInput(Shape shape) {
        boolean ok = shape.rank() == inputShape.rank();
        for (int i = 1; ok && i < shape.rank(); i++) ok = shape.dim(i) == inputShape.dim(i);
        if (!ok) {
            int[] expected = inputShape.dims();
            String exp = Arrays.toString(expected).replaceFirst("^\\[\\d+", "[N");
            throw new IllegalArgumentException("input shape expected " + exp + ", got " + shape);
        }
    }

    public Layer layer() {
        return layer;
    }

    public Shape inputShape() {
        return inputShape;
    }

    public Shape outputShape() {
        return layer.outputShape(inputShape);
    }

    /** Trainable parameters by name (weights, biases, γ, β). */
    public Variables params() {
        return params;
    }

    /** Non-trainable state by name (batch-norm running statistics). */
    public Variables state() {
        return state;
    }

    public Summary summary() {
        return Summary.of(layer, inputShape);
    }

    @Override
    public void close() {
        arena.close();
    }
}
