package dev.panamacnn.tests.golden;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.NormRef;
import java.io.IOException;
import java.lang.foreign.Arena;

/**
 * Golden checks for {@link NormRef}: batch norm over [N, C] and [N, C, H, W], eval mode
 * (running statistics) and train mode (batch statistics, then one momentum update of the
 * running statistics, compared too, with the saved mean and 1/std for backward).
 */
final class NormGolden {
    private NormGolden() {}

    static void batchNorm(GoldenCase c, Arena arena) throws IOException {
        switch (c.string("mode")) {
            case "eval" -> eval(c, arena);
            case "train" -> train(c, arena);
            default -> throw new IllegalStateException(c + ": unknown batch_norm mode " + c.string("mode"));
        }
    }

    private static void eval(GoldenCase c, Arena arena) throws IOException {
        float eps = c.real("eps");
        Tensor x = c.array("x", arena), expected = c.array("y", arena);
        Tensor gamma = c.array("gamma", arena), beta = c.array("beta", arena);
        Tensor mean = c.array("running_mean", arena), var = c.array("running_var", arena);
        Tensor actual = NormRef.batchNormInference(x, gamma, beta, mean, var, eps, arena);
        GoldenTolerances.batchNormInference(x, gamma, beta, mean, var, eps)
                .assertClose(c + " batch_norm eval", expected, actual);
    }

    private static void train(GoldenCase c, Arena arena) throws IOException {
        float eps = c.real("eps"), momentum = c.real("momentum");
        Tensor x = c.array("x", arena), expected = c.array("y", arena);
        Tensor gamma = c.array("gamma", arena), beta = c.array("beta", arena);
        Tensor runningMean = c.array("running_mean", arena);
        Tensor runningVar = c.array("running_var", arena);
        Tensor actual = Tensor.allocate(arena, x.shape());
        Tensor saveMean = Tensor.allocate(arena, Shape.of(x.dim(1)));
        Tensor saveInvStd = Tensor.allocate(arena, Shape.of(x.dim(1)));
        NormRef.batchNormTraining(x, gamma, beta, runningMean, runningVar, eps, momentum, actual,
                saveMean, saveInvStd);

        GoldenTolerances.batchNormTraining(x, gamma, beta, eps)
                .assertClose(c + " batch_norm train output", expected, actual);
        long m = GoldenTolerances.m(x);
        GoldenTolerances.sum(m, x).assertClose(c + " updated running_mean",
                c.array("running_mean_out", arena), runningMean);
        GoldenTolerances.batchVariance(x).assertClose(c + " updated running_var",
                c.array("running_var_out", arena), runningVar);
        GoldenTolerances.sum(m, x).assertClose(c + " saved batch mean",
                c.array("save_mean", arena), saveMean);
        Tensor invStd = c.array("save_invstd", arena);
        GoldenTolerances.invStd(x, invStd).assertClose(c + " saved 1/std", invStd, saveInvStd);
    }
}
