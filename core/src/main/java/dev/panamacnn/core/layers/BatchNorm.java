package dev.panamacnn.core.layers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.NormRef;
import java.util.List;
import dev.panamacnn.core.train.Pass;
import dev.panamacnn.core.train.Tape;
import dev.panamacnn.core.train.Trainable;

/**
 * Batch normalisation over the channel axis: 2-D after a convolution ({@code [N, C, H, W]}) or
 * 1-D after a dense layer ({@code [N, C]}). Parameters {@code weight} (γ) and {@code bias} (β);
 * state {@code running_mean} and {@code running_var}. Training mode normalises with mini-batch
 * statistics and updates the running estimates; inference uses the running estimates.
 */
public record BatchNorm(int channels, float eps, float momentum) implements Layer, Trainable {

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

    /**
     * Training mode normalises with the batch's statistics (and updates the running ones); the
     * backward differentiates through those statistics. Inference mode is an affine map of x.
     */
    @Override
    public Pass forward(Tape tape, Scope scope, Tensor x, boolean inputGrad) {
        outputShape(x.shape());
        Tensor gamma = scope.param("weight"), beta = scope.param("bias");
        Tensor y = tape.uninitialized(x.shape());
        Tensor mean, invStd;
        Shape c = Shape.of(channels);
        if (scope.mode().training()) {
            mean = tape.uninitialized(c);
            invStd = tape.uninitialized(c);
            tape.kernels().batchNormTraining(x, gamma, beta, scope.state("running_mean"),
                    scope.state("running_var"), eps, momentum, y, mean, invStd);
        } else {
            mean = scope.state("running_mean").copy(tape.arena());
            invStd = tape.uninitialized(c);
            Tensor var = scope.state("running_var");
            for (int ch = 0; ch < channels; ch++) {
                invStd.setFlat(ch, (float) (1 / Math.sqrt((double) var.getFlat(ch) + eps)));
            }
            tape.kernels().batchNormInference(x, gamma, beta, mean, var, eps, y);
        }
        Tensor dgamma = tape.grad(scope, "weight"), dbeta = tape.grad(scope, "bias");
        boolean training = scope.mode().training();
        return new Pass(y, dy -> {
            Tensor dx = inputGrad ? tape.uninitialized(x.shape()) : null;
            if (training) {
                tape.kernels().batchNormBackward(x, gamma, mean, invStd, dy, dx, dgamma, dbeta);
            } else {
                frozenBackward(x, gamma, mean, invStd, dy, dx, dgamma, dbeta);
            }
            return dx;
        });
    }

    /** Gradient with the statistics fixed: y = γ·(x − μ)·invStd + β is affine in x. */
    private static void frozenBackward(Tensor x, Tensor gamma, Tensor mean, Tensor invStd, Tensor dy, Tensor dx,
                                       Tensor dgamma, Tensor dbeta) {
        int n = x.dim(0), c = x.dim(1);
        long inner = x.shape().sizeFrom(2);
        for (int ch = 0; ch < c; ch++) {
            double mu = mean.getFlat(ch), is = invStd.getFlat(ch), g = gamma.getFlat(ch);
            double sumDy = 0, sumDyXhat = 0;
            for (int b = 0; b < n; b++) {
                long base = ((long) b * c + ch) * inner;
                for (long k = 0; k < inner; k++) {
                    double d = dy.getFlat(base + k);
                    sumDy += d;
                    sumDyXhat += d * (x.getFlat(base + k) - mu) * is;
                    if (dx != null) dx.setFlat(base + k, (float) (d * g * is));
                }
            }
            dbeta.setFlat(ch, (float) (dbeta.getFlat(ch) + sumDy));
            dgamma.setFlat(ch, (float) (dgamma.getFlat(ch) + sumDyXhat));
        }
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
