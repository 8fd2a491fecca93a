package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Fixtures.coin;
import static dev.panamacnn.simd.kernels.Fixtures.draw;
import static dev.panamacnn.simd.kernels.Fixtures.seed;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.SoftmaxRef;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.kernels.Fixtures.Placed;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Softmax over the last axis equals {@link SoftmaxRef} with axis −1. */
class SoftmaxKernelsTest {
    private static final int L = Vec.L;

    /** Bring the kernels to C2 first, so the properties also check the intrinsified code. */
    @BeforeAll
    static void warmUp() {
        Scenarios.warm(Scenarios.softmax(), 5);
    }

    record Case(int rows, int len, float offset, boolean inPlace, long seed, long xOff, long yOff,
                int cut1, int cut2) {}

    static final Gen<Case> CASES = rs -> {
        int rows = draw(rs, 1, 5);
        // Every tail around one to five vectors, and ImageNet's 1000 classes.
        int len = coin(rs) ? draw(rs, 1, 5 * L + 3) : 1000;
        // Logits around ±1000 overflow exp unless the maximum is subtracted.
        float[] offsets = {0f, 1000f, -1000f};
        int a = draw(rs, 0, rows), b = draw(rs, 0, rows);
        return new Case(rows, len, offsets[draw(rs, 0, 2)], coin(rs), seed(rs), draw(rs, 0, L),
                draw(rs, 0, L), Math.min(a, b), Math.max(a, b));
    };

    @Test
    void equalsReference() {
        qt().withExamples(200).forAll(CASES).checkAssert(k -> {
            try (Arena arena = Arena.ofConfined()) {
                float[] xd = Fixtures.uniform(k.seed, k.rows * k.len, k.offset - 10f, k.offset + 10f);
                float[] expected = SoftmaxRef.softmax(Tensor.of(arena, xd, k.rows, k.len), -1, arena).toArray();
                Placed x = Placed.of(arena, xd, k.xOff);
                Placed y = k.inPlace ? x : Placed.empty(arena, xd.length, k.yOff);
                int[] bounds = {k.cut2, k.rows, k.cut1, k.cut2, 0, k.cut1};
                for (int r = 0; r < bounds.length; r += 2) {
                    SoftmaxKernels.softmax(x.segment(), x.offset(), y.segment(), y.offset(), k.len,
                            bounds[r], bounds[r + 1]);
                }
                // A float sum of len terms of mean size 1/len, plus the float EXP's 1 ulp and the
                // rounded reciprocal: the reduction bound with 4 more ε of relative slack.
                Tolerance sum = Tolerance.forReduction(k.len, 1.0 / k.len);
                new Tolerance(sum.rtol() + 4 * Tolerance.EPS, sum.atol(), sum.ulps())
                        .assertClose("softmax", expected, y.read());
                y.assertGuardsIntact("output");
            }
        });
    }

    @Test
    void badArgumentsAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            var s = arena.allocate(64);
            assertThrows(IllegalArgumentException.class, () -> SoftmaxKernels.softmax(s, 0, s, 0, 0, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> SoftmaxKernels.softmax(s, 0, s, 0, 8, 0, 3));
        }
    }
}
