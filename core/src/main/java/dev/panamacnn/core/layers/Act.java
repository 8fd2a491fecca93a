package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.reference.EltwiseRef;

/** An element-wise activation layer: ReLU, ReLU6/clip, sigmoid, tanh, hard-sigmoid, hard-swish. No parameters. */
public record Act(Activation activation) implements Layer {

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
    public long flops(Shape input) {
        return input.size();
    }

    @Override
    public String describe() {
        return activation.toString();
    }
}
