package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.reference.EltwiseRef;
import java.util.ArrayList;
import java.util.List;
import dev.panamacnn.core.train.Backward;
import dev.panamacnn.core.train.Pass;
import dev.panamacnn.core.train.Tape;
import dev.panamacnn.core.train.Trainable;

/**
 * A residual (skip) block: {@code y = act(body(x) + shortcut(x))}, where the shortcut is the
 * identity or a projection (1×1 conv + BN when the shape changes), as in ResNet's BasicBlock.
 *
 * <p>The body's children sit directly under the block's name and the projection under
 * {@code downsample}, so variable names match torchvision
 * ({@code layer2.0.conv1.weight}, {@code layer2.0.downsample.0.weight}).
 */
public record Residual(Layer body, Layer shortcut, Activation activation) implements Layer, Trainable {

    public static final String SHORTCUT = "downsample";

    public Residual {
        if (body == null || activation == null) {
            throw new IllegalArgumentException("Residual needs a body and an activation");
        }
    }

    /** Identity shortcut: {@code y = act(body(x) + x)}. */
    public static Residual identity(Layer body, Activation activation) {
        return new Residual(body, null, activation);
    }

    public static Residual projected(Layer body, Layer shortcut, Activation activation) {
        return new Residual(body, shortcut, activation);
    }

    @Override
    public List<Child> children() {
        List<Child> c = new ArrayList<>();
        c.add(new Child("", body));
        if (shortcut != null) c.add(new Child(SHORTCUT, shortcut));
        return c;
    }

    @Override
    public Shape outputShape(Shape input) {
        Shape main = body.outputShape(input);
        Shape skip = shortcut == null ? input : shortcut.outputShape(input);
        if (!main.equals(skip)) {
            throw new IllegalArgumentException("Residual: body output " + main
                    + " does not match shortcut output " + skip + " for input " + input
                    + (shortcut == null ? " (add a projection shortcut)" : ""));
        }
        return main;
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        Tensor main = body.apply(scope, x);
        Tensor skip = shortcut == null ? x : shortcut.apply(scope.child(SHORTCUT), x);
        Tensor sum = EltwiseRef.add(main, skip, scope.arena());
        EltwiseRef.activation(sum, activation, sum);
        return sum;
    }

    /**
     * y = act(body(x) + shortcut(x)); the backward sends act'·dy down both branches and adds the
     * two input gradients (x feeds both).
     */
    @Override
    public Pass forward(Tape tape, Scope scope, Tensor x, boolean inputGrad) {
        Shape os = outputShape(x.shape());
        Pass main = Trainable.of(body).forward(tape, scope, x, inputGrad);
        Pass skip = shortcut == null ? null : Trainable.of(shortcut).forward(tape, scope.child(SHORTCUT), x, inputGrad);
        Tensor sum = tape.uninitialized(os);
        tape.kernels().add(main.output(), skip == null ? x : skip.output(), sum);
        boolean identity = activation.kind() == Activation.Kind.IDENTITY;
        Tensor y = sum;
        if (!identity) {
            y = tape.uninitialized(os);
            tape.kernels().activation(sum, activation, y);
        }
        return new Pass(y, dy -> {
            Tensor dsum = dy;
            if (!identity) {
                dsum = tape.uninitialized(os);
                tape.kernels().activationBackward(sum, activation, dy, dsum);
            }
            Tensor dMain = main.backward().apply(dsum);
            Tensor dSkip = skip == null ? dsum : skip.backward().apply(dsum);
            if (!inputGrad) return null;
            Tensor dx = tape.uninitialized(x.shape());
            tape.kernels().add(dMain, dSkip, dx);
            return dx;
        });
    }

    @Override
    public long flops(Shape input) {
        long n = outputShape(input).size();
        return activation.kind() == Activation.Kind.IDENTITY ? n : 2 * n;
    }

    @Override
    public void summarize(String name, Shape input, Summary.Builder summary) {
        body.summarize(name, input, summary);
        if (shortcut != null) shortcut.summarize(Summary.join(name, SHORTCUT), input, summary);
        summary.row(Summary.join(name, "add"), this, input, outputShape(input));
    }

    @Override
    public String describe() {
        return activation.kind() == Activation.Kind.IDENTITY ? "Add (skip)" : "Add (skip) + " + activation;
    }
}
