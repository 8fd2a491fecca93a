package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.floats;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.NormRef;
import dev.panamacnn.core.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Property 8: batch normalisation in training mode standardises every channel over the batch
 * (and the spatial positions) — output mean ≈ β, variance ≈ γ²·σ²/(σ² + ε), so ≈ 0 and ≈ 1 for
 * γ = 1, β = 0 — and moves the running statistics toward the batch statistics by the momentum,
 * using the unbiased variance for the running variance (PyTorch's convention).
 *
 * <p>Batches are as small as two values per channel, where the biased and unbiased variances differ
 * by a factor of two. Each channel has its own mean (±5) and spread (0.3–4) so normalising is
 * never a no-op.
 */
class BatchNormTrainingTest {
    private static final float EPS = 1e-5f;

    /** {@code dims} is [N, C] or [N, C, H, W]; per-channel location and scale come from the seed. */
    record Case(int[] dims, float momentum, long seed) {
        int channels() {
            return dims[1];
        }

        @Override
        public String toString() {
            return "Case" + java.util.Arrays.toString(dims) + " momentum " + momentum + " seed " + seed;
        }
    }

    private static Gen<Case> cases1d() {
        return in -> new Case(new int[] {integers().between(2, 16).generate(in), integers().between(1, 5).generate(in)},
                floats().between(0f, 1f).generate(in), Gens.seeds().generate(in));
    }

    private static Gen<Case> cases2d() {
        return in -> {
            int n = integers().between(1, 3).generate(in), c = integers().between(1, 4).generate(in);
            int h = integers().between(1, 6).generate(in), w = integers().between(1, 6).generate(in);
            if (n * h * w < 2) w = 2; // training needs more than one value per channel
            return new Case(new int[] {n, c, h, w}, floats().between(0f, 1f).generate(in), Gens.seeds().generate(in));
        };
    }

    /** x[:, c] = μ_c + σ_c·z with z ~ N(0, 1). */
    private static Tensor input(Case k, Arena arena) {
        Tensor x = Tensor.randomNormal(arena, k.seed(), 0f, 1f, k.dims());
        RandomGenerator rng = Tensor.rng(~k.seed());
        int c = k.channels();
        float[] mu = new float[c], sigma = new float[c];
        for (int ch = 0; ch < c; ch++) {
            mu[ch] = (float) (10 * rng.nextDouble() - 5);
            sigma[ch] = (float) (0.3 + 3.7 * rng.nextDouble());
        }
        long inner = x.shape().sizeFrom(2);
        for (long i = 0; i < x.size(); i++) {
            int ch = (int) ((i / inner) % c);
            x.setFlat(i, mu[ch] + sigma[ch] * x.getFlat(i));
        }
        return x;
    }

    /** The values of channel {@code ch}, over the batch and spatial positions. */
    private static double[] channel(Tensor t, int ch) {
        int n = t.dim(0), c = t.dim(1);
        int inner = (int) t.shape().sizeFrom(2);
        double[] v = new double[n * inner];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < inner; i++) v[b * inner + i] = t.getFlat(((long) b * c + ch) * inner + i);
        return v;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) s += d;
        return s / v.length;
    }

    /** Σ (v − mean)² / divisor. */
    private static double sumSq(double[] v, double divisor) {
        double mu = mean(v), s = 0;
        for (double d : v) s += (d - mu) * (d - mu);
        return s / divisor;
    }

    private static double rms(double[] v) {
        double s = 0;
        for (double d : v) s += d * d;
        return Math.sqrt(s / v.length);
    }

    private static void checkStandardises(Case k, boolean unitAffine) {
        try (Arena arena = Arena.ofConfined()) {
            int c = k.channels();
            Tensor x = input(k, arena);
            Tensor gamma = unitAffine ? Tensor.ones(arena, c) : Tensor.randomUniform(arena, k.seed() + 1, 0.5f, 2f, c);
            Tensor beta = unitAffine ? Tensor.zeros(arena, c) : Tensor.randomNormal(arena, k.seed() + 2, 0f, 3f, c);
            Tensor runMean = Tensor.randomNormal(arena, k.seed() + 3, 0f, 2f, c);
            Tensor runVar = Tensor.randomUniform(arena, k.seed() + 4, 0.5f, 3f, c);
            float[] mean0 = runMean.toArray(), var0 = runVar.toArray();

            Tensor y = NormRef.batchNormTraining(x, gamma, beta, runMean, runVar, EPS, k.momentum(), arena);

            for (int ch = 0; ch < c; ch++) {
                double[] xc = channel(x, ch), yc = channel(y, ch);
                int m = xc.length;
                double mu = mean(xc), biased = sumSq(xc, m), unbiased = sumSq(xc, m - 1);
                double g = gamma.getFlat(ch), bt = beta.getFlat(ch);
                String at = "channel " + ch + " ";
                // y is rounded to float once: the mean of m such terms is off by at most ε·rms(y),
                // its variance by at most ε·rms(y)² — inside these reduction tolerances.
                Props.assertScalarClose(at + "output mean", bt, mean(yc), Tolerance.forReduction(m, rms(yc) / m));
                Props.assertScalarClose(at + "output variance", g * g * biased / (biased + EPS), sumSq(yc, m),
                        Tolerance.forReduction(m, rms(yc) * rms(yc) / m));

                double mom = k.momentum();
                double expMean = (1 - mom) * mean0[ch] + mom * mu;
                double expVar = (1 - mom) * var0[ch] + mom * unbiased;
                Tolerance twoTerms = Tolerance.forReduction(2, Math.max(Math.abs(mean0[ch]), Math.abs(mu)));
                Props.assertScalarClose(at + "running mean", expMean, runMean.getFlat(ch), twoTerms);
                Props.assertScalarClose(at + "running var (unbiased batch variance)", expVar, runVar.getFlat(ch),
                        Tolerance.forReduction(2, Math.max(var0[ch], unbiased)));
                double slack = twoTerms.atol();
                assertTrue(Math.abs(runMean.getFlat(ch) - mu) <= Math.abs(mean0[ch] - mu) + slack,
                        at + "running mean moved away from the batch mean");
            }
        }
    }

    @Test
    void standardisesDenseActivations() {
        Props.qt(150).forAll(cases1d()).checkAssert(k -> checkStandardises(k, true));
    }

    @Test
    void standardisesFeatureMaps() {
        Props.qt(150).forAll(cases2d()).checkAssert(k -> checkStandardises(k, true));
    }

    @Test
    void gammaAndBetaSetScaleAndShift() {
        Props.qt(100).forAll(cases1d()).checkAssert(k -> checkStandardises(k, false));
        Props.qt(100).forAll(cases2d()).checkAssert(k -> checkStandardises(k, false));
    }
}
