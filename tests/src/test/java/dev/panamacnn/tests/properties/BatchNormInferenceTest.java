package dev.panamacnn.tests.properties;

import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.NormRef;
import dev.panamacnn.core.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Property 9: batch normalisation at inference is a fixed per-channel affine map
 * {@code y = a_c·x + b_c} with {@code a_c = γ_c/√(var_c + ε)} and {@code b_c = β_c − mean_c·a_c} —
 * which is why it can be folded into the preceding convolution.
 */
class BatchNormInferenceTest {

    record Case(int[] dims, float eps, long seed) {
        @Override
        public String toString() {
            return "Case" + java.util.Arrays.toString(dims) + " eps " + eps + " seed " + seed;
        }
    }

    private static Gen<Case> cases() {
        return in -> {
            int n = integers().between(1, 4).generate(in), c = integers().between(1, 6).generate(in);
            int[] dims = integers().between(0, 1).generate(in) == 0 ? new int[] {n, c}
                    : new int[] {n, c, integers().between(1, 7).generate(in), integers().between(1, 7).generate(in)};
            float eps = Generate.pick(List.of(1e-5f, 1e-3f, 0.1f)).generate(in);
            return new Case(dims, eps, Gens.seeds().generate(in));
        };
    }

    @Test
    void inferenceIsPerChannelAffineMap() {
        Props.qt(200).forAll(cases()).checkAssert(k -> {
            try (Arena arena = Arena.ofConfined()) {
                int c = k.dims()[1];
                Tensor x = Tensor.randomNormal(arena, k.seed(), 0.5f, 2f, k.dims());
                Tensor gamma = Tensor.randomNormal(arena, k.seed() + 1, 0f, 1.5f, c);
                Tensor beta = Tensor.randomNormal(arena, k.seed() + 2, 0f, 1f, c);
                Tensor mean = Tensor.randomNormal(arena, k.seed() + 3, 0f, 2f, c);
                Tensor var = Tensor.randomUniform(arena, k.seed() + 4, 0.05f, 4f, c);
                Tensor y = NormRef.batchNormInference(x, gamma, beta, mean, var, k.eps(), arena);

                long inner = x.shape().sizeFrom(2);
                float[] expected = new float[(int) x.size()];
                for (int i = 0; i < expected.length; i++) {
                    int ch = (int) ((i / inner) % c);
                    double a = gamma.getFlat(ch) / Math.sqrt((double) var.getFlat(ch) + k.eps());
                    double b = beta.getFlat(ch) - mean.getFlat(ch) * a;
                    expected[i] = (float) (a * x.getFlat(i) + b);
                }
                Tolerance.elementwise().assertClose("y = a_c·x + b_c", expected, y.toArray());
            }
        });
    }
}
