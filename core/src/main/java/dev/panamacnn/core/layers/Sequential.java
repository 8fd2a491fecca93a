package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import dev.panamacnn.core.train.Backward;
import dev.panamacnn.core.train.Pass;
import dev.panamacnn.core.train.Tape;
import dev.panamacnn.core.train.Trainable;

/** Layers applied one after another: {@code y = fₙ(…f₂(f₁(x)))}. Children are named. */
public record Sequential(List<Child> children) implements Layer, Trainable {

    public Sequential {
        children = List.copyOf(children);
        var seen = new HashSet<String>();
        for (Child c : children) {
            if (c.name().isEmpty() || !seen.add(c.name())) {
                throw new IllegalArgumentException("Sequential child names must be non-empty and"
                        + " unique, got '" + c.name() + "' twice or empty");
            }
        }
    }

    /** Children named "0", "1", … as in PyTorch's {@code nn.Sequential}. */
    public static Sequential of(Layer... layers) {
        List<Child> c = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) c.add(new Child(Integer.toString(i), layers[i]));
        return new Sequential(c);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a sequential model with chosen child names ({@code "conv1"}, {@code "bn1"}, …). */
    public static final class Builder {
        private final List<Child> children = new ArrayList<>();

        private Builder() {}

        public Builder add(String name, Layer layer) {
            children.add(new Child(name, layer));
            return this;
        }

        public Sequential build() {
            return new Sequential(children);
        }
    }

    @Override
    public Shape outputShape(Shape input) {
        Shape s = input;
        for (Child c : children) s = c.layer().outputShape(s);
        return s;
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        Tensor y = x;
        for (Child c : children) y = c.layer().apply(scope.child(c.name()), y);
        return y;
    }

    /** Children forward in order; the backward runs their backwards in reverse. */
    @Override
    public Pass forward(Tape tape, Scope scope, Tensor x, boolean inputGrad) {
        Backward[] back = new Backward[children.size()];
        Tensor y = x;
        for (int i = 0; i < back.length; i++) {
            Child c = children.get(i);
            // Past the first child the input is an activation: its gradient is always needed.
            Pass p = Trainable.of(c.layer()).forward(tape, scope.child(c.name()), y, i > 0 || inputGrad);
            back[i] = p.backward();
            y = p.output();
        }
        return new Pass(y, dy -> {
            Tensor d = dy;
            for (int i = back.length - 1; i >= 0; i--) d = back[i].apply(d);
            return d;
        });
    }

    @Override
    public void summarize(String name, Shape input, Summary.Builder summary) {
        Shape s = input;
        for (Child c : children) {
            c.layer().summarize(Summary.join(name, c.name()), s, summary);
            s = c.layer().outputShape(s);
        }
    }

    @Override
    public String describe() {
        return "Sequential(" + children.size() + ")";
    }
}
