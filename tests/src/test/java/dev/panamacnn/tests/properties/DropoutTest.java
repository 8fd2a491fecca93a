package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.floats;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.DropoutRef;
import java.lang.foreign.Arena;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Property 10: inverted dropout. With p = 0 it is the exact identity (at inference a layer skips
 * the op altogether). In training each element is dropped to 0 with probability p or kept and
 * scaled by 1/(1 − p), so the expectation is unchanged; the mask is a function of the seed.
 *
 * <p>"Kept elements are x/(1 − p)" is checked bit for bit as {@code x · fl(1/(1 − p))}: the float
 * scale is rounded once and multiplied in, as PyTorch does, which may differ from a correctly
 * rounded {@code x / (1 − p)} by one ulp. Statistical checks use six-sigma bounds (a false alarm
 * about once in 10⁹ checks).
 */
class DropoutTest {

    @Test
    void zeroProbabilityIsExactIdentity() {
        Props.qt(100).forAll(integers().between(1, 5000), Gens.seeds()).checkAssert((n, seed) -> {
            try (Arena arena = Arena.ofConfined()) {
                Tensor x = Tensor.randomNormal(arena, seed, 0f, 3f, n);
                Tensor y = DropoutRef.dropoutTraining(x, 0f, Tensor.rng(~seed), arena);
                assertArrayEquals(x.toArray(), y.toArray());
            }
        });
    }

    @Test
    void trainingKeepsTheExpectation() {
        Props.qt(60).forAll(integers().between(4000, 20000), floats().between(0.05f, 0.95f), Gens.seeds())
                .checkAssert((n, p, seed) -> {
                    try (Arena arena = Arena.ofConfined()) {
                        // Mean 1: dropping without rescaling would shift the mean by p.
                        Tensor x = Tensor.randomNormal(arena, seed, 1f, 1f, n);
                        Tensor y = Tensor.allocate(arena, x.shape());
                        Tensor mask = Tensor.allocate(arena, x.shape());
                        DropoutRef.dropoutTraining(x, p, Tensor.rng(~seed), y, mask);
                        float[] xs = x.toArray(), ys = y.toArray(), ms = mask.toArray();
                        float scale = 1f / (1f - p);

                        int dropped = 0;
                        double sumX = 0, sumY = 0, sumX2 = 0;
                        for (int i = 0; i < n; i++) {
                            if (ms[i] == 0f) {
                                dropped++;
                                assertEquals(0f, Math.abs(ys[i]), "dropped element " + i);
                            } else {
                                assertEquals(scale, ms[i], "mask value at " + i);
                                assertEquals(xs[i] * scale, ys[i], "kept element " + i);
                            }
                            sumX += xs[i];
                            sumY += ys[i];
                            sumX2 += (double) xs[i] * xs[i];
                        }
                        double dropBound = 6 * Math.sqrt(n * p * (1.0 - p));
                        assertTrue(Math.abs(dropped - n * (double) p) <= dropBound,
                                "dropped " + dropped + " of " + n + ", expected " + n * p + " ± " + dropBound);
                        // Var(mean(y) − mean(x)) = Σ x² · p/(1 − p) / n².
                        double meanBound = 6 * Math.sqrt(sumX2 * p / (1.0 - p)) / n;
                        assertTrue(Math.abs(sumY / n - sumX / n) <= meanBound,
                                "mean(y) " + sumY / n + " vs mean(x) " + sumX / n + " ± " + meanBound);
                    }
                });
    }

    @Test
    void maskIsAFunctionOfTheSeed() {
        Props.qt(60).forAll(integers().between(1000, 5000), floats().between(0.1f, 0.9f), Gens.seeds())
                .checkAssert((n, p, seed) -> {
                    try (Arena arena = Arena.ofConfined()) {
                        Tensor x = Tensor.randomNormal(arena, seed, 1f, 1f, n);
                        float[] a = DropoutRef.dropoutTraining(x, p, Tensor.rng(~seed), arena).toArray();
                        float[] b = DropoutRef.dropoutTraining(x, p, Tensor.rng(~seed), arena).toArray();
                        float[] other = DropoutRef.dropoutTraining(x, p, Tensor.rng(~seed + 1), arena).toArray();
                        assertArrayEquals(a, b, "same seed, same mask");
                        assertFalse(Arrays.equals(a, other), "another seed gave the same mask");
                    }
                });
    }
}
