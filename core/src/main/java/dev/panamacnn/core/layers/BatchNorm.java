package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.NormRef;
import java.util.List;

/**
 * Batch normalisation over the channel axis: 2-D after a convolution ({@code [N, C, H, W]}) or
 * 1-D after a dense layer ({@code [N, C]}). Parameters {@code weight} (γ) and {@code bias} (β);
 * state {@code running_mean} and {@code running_var}. Training mode normalises with mini-batch
 * statistics and updates the running estimates; inference uses the running estimates.
 */
public record BatchNorm(int channels, float eps, float momentum) implements Layer {

    public BatchNorm {
        if (channels < 1) throw new IllegalArgumentException("BatchNorm channels must be >= 1, got " + channels);
        if (!(eps > 0)) throw new IllegalArgumentException("BatchNorm eps must be > 0, got " + eps);
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNorm momentum must be in [0, 1], got " + momentum);
        }
    }

    /** ε = 1e-5, momentum = 0.1 (PyTorch's defaults). */
    public static BatchNorm of(int channels) {
        return new BatchNorm(channels, 1e-5f, 0.1f);
    }

    @Override
    public Shape outputShape(Shape input) {
        if ((input.rank() != 2 && input.rank() != 4) || input.dim(1) != channels) {
            throw new IllegalArgumentException(describe() + ": input expected [N, " + channels
                    + "] or [N, " + channels + ", H, W], got " + input);
        }
        return input;
    }

    @Override
    public List<Variable> variables() {
        Shape c = Shape.of(channels);
        return List.of(
                Variable.parameter("weight", c, Variable.Init.ONES),
                Variable.parameter("bias", c, Variable.Init.ZEROS),
                Variable.state("running_mean", c, Variable.Init.ZEROS),
                Variable.state("running_var", c, Variable.Init.ONES));
    }

    @Override
    public Tensor apply(Scope scope, Tensor x) {
        outputShape(x.shape());
        if (scope.mode().training()) {
            return NormRef.batchNormTraining(x, scope.param("weight"), scope.param("bias"),
                    scope.state("running_mean"), scope.state("running_var"), eps, momentum, scope.arena());
        }
        return NormRef.batchNormInference(x, scope.param("weight"), scope.param("bias"),
                scope.state("running_mean"), scope.state("running_var"), eps, scope.arena());
    }

    @Override
    public long flops(Shape input) {
        return 2 * input.size(); // one multiply and one add per element once folded
    }

    @Override
    public String describe() {
        return "BatchNorm(" + channels + ")";
    }
}
