package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reference batch normalisation over axis 1 of {@code [N, C]} (1-D, after a dense layer) or
 * {@code [N, C, H, W]} (2-D, after a convolution); any rank ≥ 2 works, channels on axis 1.
 *
 * <pre>
 * inference: y = γ · (x − running_mean) / sqrt(running_var + ε) + β
 * training:  μ = mean over (N, spatial), σ² = biased variance (divide by m = N·spatial)
 *            y = γ · (x − μ) / sqrt(σ² + ε) + β
 *            running_mean ← (1 − momentum) · running_mean + momentum · μ
 *            running_var  ← (1 − momentum) · running_var  + momentum · σ² · m / (m − 1)
 * </pre>
 * PyTorch's convention: momentum 0.1 means 10 % of the new statistic.
 */
public final class NormRef {
    private NormRef() {}

    public static Tensor batchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor mean,
                                            Tensor var, float eps, Arena arena) {
        Tensor out = Tensor.allocate(arena, x.shape());
        batchNormInference(x, gamma, beta, mean, var, eps, out);
        return out;
    }

    public static void batchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor mean,
                                          Tensor var, float eps, Tensor out) {
        int c = checkArgs("batchNormInference", x, out, gamma, beta, mean, var);
        long inner = x.shape().sizeFrom(2);
        MemorySegment xs = x.segment(), ys = out.segment();
        for (int b = 0; b < x.dim(0); b++) {
            for (int ch = 0; ch < c; ch++) {
                double scale = gamma.getFlat(ch) / Math.sqrt((double) var.getFlat(ch) + eps);
                double shift = beta.getFlat(ch) - mean.getFlat(ch) * scale;
                long base = ((long) b * c + ch) * inner;
                for (long k = 0; k < inner; k++) {
                    ys.setAtIndex(FLOAT, base + k, (float) (xs.getAtIndex(FLOAT, base + k) * scale + shift));
                }
            }
        }
    }

    public static Tensor batchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                           Tensor runningVar, float eps, float momentum,
                                           Arena arena) {
        Tensor out = Tensor.allocate(arena, x.shape());
        batchNormTraining(x, gamma, beta, runningMean, runningVar, eps, momentum, out, null, null);
        return out;
    }

    /**
     * Training-mode forward. Updates {@code runningMean}/{@code runningVar} in place. If given,
     * {@code saveMean} and {@code saveInvStd} ({@code [C]}) receive μ and 1/sqrt(σ² + ε) for the
     * backward pass.
     */
    public static void batchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                         Tensor runningVar, float eps, float momentum, Tensor out,
                                         Tensor saveMean, Tensor saveInvStd) {
        int c = checkArgs("batchNormTraining", x, out, gamma, beta, runningMean, runningVar);
        if (momentum < 0 || momentum > 1) {
            throw new IllegalArgumentException("batchNormTraining: momentum must be in [0, 1], got "
                    + momentum);
        }
        long inner = x.shape().sizeFrom(2);
        long m = x.dim(0) * inner;
        if (m <= 1) {
            throw new IllegalArgumentException("batchNormTraining: expected more than 1 value per"
                    + " channel when training, got input " + x.shape());
        }
        MemorySegment xs = x.segment(), ys = out.segment();
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int b = 0; b < x.dim(0); b++) {
                long base = ((long) b * c + ch) * inner;
                for (long k = 0; k < inner; k++) sum += xs.getAtIndex(FLOAT, base + k);
            }
            double mu = sum / m;
            double sq = 0;
            for (int b = 0; b < x.dim(0); b++) {
                long base = ((long) b * c + ch) * inner;
                for (long k = 0; k < inner; k++) {
                    double d = xs.getAtIndex(FLOAT, base + k) - mu;
                    sq += d * d;
                }
            }
            double biasedVar = sq / m;
            double invStd = 1 / Math.sqrt(biasedVar + eps);
            double scale = gamma.getFlat(ch) * invStd;
            double shift = beta.getFlat(ch) - mu * scale;
            for (int b = 0; b < x.dim(0); b++) {
                long base = ((long) b * c + ch) * inner;
                for (long k = 0; k < inner; k++) {
                    ys.setAtIndex(FLOAT, base + k, (float) (xs.getAtIndex(FLOAT, base + k) * scale + shift));
                }
            }
            runningMean.setFlat(ch, (float) ((1 - momentum) * runningMean.getFlat(ch) + momentum * mu));
            runningVar.setFlat(ch, (float) ((1 - momentum) * runningVar.getFlat(ch)
                    + momentum * biasedVar * m / (m - 1)));
            if (saveMean != null) saveMean.setFlat(ch, (float) mu);
            if (saveInvStd != null) saveInvStd.setFlat(ch, (float) invStd);
        }
    }

    private static int checkArgs(String op, Tensor x, Tensor out, Tensor... perChannel) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + ": input must be [N, C] or [N, C, H, W], got "
                    + x.shape());
        }
        Checks.shape(op, "output", out, x.shape());
        Shape channels = Shape.of(x.dim(1));
        String[] names = {"gamma", "beta", "mean", "var"};
        for (int i = 0; i < perChannel.length; i++) {
            Checks.shape(op, names[i], perChannel[i], channels);
        }
        return x.dim(1);
    }
}
