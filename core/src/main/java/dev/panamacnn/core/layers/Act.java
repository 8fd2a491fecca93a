package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.reference.EltwiseRef;
import dev.panamacnn.core.train.Pass;
import dev.panamacnn.core.train.Tape;
import dev.panamacnn.core.train.Trainable;

/** An element-wise activation layer: ReLU, ReLU6/clip, sigmoid, tanh, hard-sigmoid, hard-swish. No parameters. */
public record Act(Activation activation) implements Layer, Trainable {

    public static Act relu() {
        return new Act(Activation.RELU);
    }

    public static Act relu6() {
        return new Act(Activation.RELU6);
    }

    public static Act clip(float min, float max) {
        return new Act(Activation.clip(min, max));
    }

    public static Act sigmoid() {
        return new Act(Activation.SIGMOID);
    }

    public static Act tanh() {
        return new Act(Activation.TANH);
    }

    /** max(0, min(1, alpha·x + beta)). */
    public static Act hardSigmoid(float alpha, float beta) {
        return new Act(Activation.hardSigmoid(alpha, beta));
    }

    /** x · hardSigmoid(x) with alpha 1/6, beta 1/2. */
    public static Act hardSwish() {
        return new Act(Activation.HARD_SWISH);
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        return EltwiseRef.activation(x, activation, scope.arena());
    }

    @Override
    public Pass forward(Tape tape, Scope scope, Tensor x, boolean inputGrad) {
        Tensor y = tape.uninitialized(x.shape());
        tape.kernels().activation(x, activation, y);
        return new Pass(y, dy -> {
            if (!inputGrad) return null;
            Tensor dx = tape.uninitialized(x.shape());
            tape.kernels().activationBackward(x, activation, dy, dx);
            return dx;
        });
    }

    @Override
    public long flops(Shape input) {
        return input.size();
    }

    @Override
    public String describe() {
        return activation.toString();
    }
}
