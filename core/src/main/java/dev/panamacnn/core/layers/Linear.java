package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.DenseRef;
import java.util.ArrayList;
import java.util.List;
import dev.panamacnn.core.train.Pass;
import dev.panamacnn.core.train.Tape;
import dev.panamacnn.core.train.Trainable;

/**
 * Fully connected layer — the traditional neuron, {@code outFeatures} times over:
 * {@code y = x·Wᵀ + b} with {@code weight [out, in]} and {@code bias [out]}. Input {@code [N, in]};
 * put a {@link Flatten} before it after convolutions.
 */
public record Linear(int inFeatures, int outFeatures, boolean bias) implements Layer, Trainable {

    public Linear {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("Linear features must be >= 1, got in " + inFeatures
                    + ", out " + outFeatures);
        }
    }

    public static Linear of(int in, int out) {
        return new Linear(in, out, true);
    }

    public Linear noBias() {
        return new Linear(inFeatures, outFeatures, false);
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 2 || input.dim(1) != inFeatures) {
            throw new IllegalArgumentException(describe() + ": input expected [N, " + inFeatures
                    + "], got " + input);
        }
        return Shape.of(input.dim(0), outFeatures);
    }

    @Override
    public List<Variable> variables() {
        List<Variable> v = new ArrayList<>();
        v.add(Variable.parameter("weight", Shape.of(outFeatures, inFeatures), Variable.Init.KAIMING_NORMAL));
        if (bias) v.add(Variable.parameter("bias", Shape.of(outFeatures), Variable.Init.ZEROS));
        return v;
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        outputShape(x.shape());
        return DenseRef.linear(x, scope.param("weight"), bias ? scope.param("bias") : null, scope.arena());
    }

    @Override
    public Pass forward(Tape tape, Scope scope, Tensor x, boolean inputGrad) {
        Shape os = outputShape(x.shape());
        Tensor w = scope.param("weight"), b = bias ? scope.param("bias") : null;
        Tensor y = tape.uninitialized(os);
        tape.kernels().linear(x, w, b, y);
        Tensor dw = tape.grad(scope, "weight"), db = bias ? tape.grad(scope, "bias") : null;
        return new Pass(y, dy -> {
            Tensor dx = inputGrad ? tape.uninitialized(x.shape()) : null;
            tape.kernels().linearBackward(x, w, dy, dx, dw, db);
            return dx;
        });
    }

    @Override
    public long flops(Shape input) {
        return (long) input.dim(0) * outFeatures * (2L * inFeatures + (bias ? 1 : 0));
    }

    @Override
    public String describe() {
        return "Linear(" + inFeatures + "→" + outFeatures + (bias ? "" : ", no bias") + ")";
    }
}
