package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.PoolRef;
import dev.panamacnn.core.testing.Tolerance;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Property 6: global average and max pooling turn any {@code [N, C, H, W]} into
 * {@code [N, C, 1, 1]} — one length-C vector per sample — holding the mean, resp. maximum, of
 * each H×W plane.
 */
class GlobalPoolTest {

    record Case(int n, int c, int h, int w, long seed) {}

    private static Gen<Case> cases() {
        return in -> new Case(integers().between(1, 3).generate(in), integers().between(1, 6).generate(in),
                integers().between(1, 23).generate(in), integers().between(1, 23).generate(in),
                Gens.seeds().generate(in));
    }

    @Test
    void globalPoolingReducesEachPlaneToOneValue() {
        Props.qt(150).forAll(cases()).checkAssert(k -> {
            try (Arena arena = Arena.ofConfined()) {
                // A non-zero mean keeps the plane means away from zero, where only absolute error counts.
                Tensor x = Tensor.randomNormal(arena, k.seed(), 0.5f, 2f, k.n(), k.c(), k.h(), k.w());
                Tensor avg = PoolRef.globalAvgPool(x, arena);
                Tensor max = PoolRef.globalMaxPool(x, arena);
                Shape expectedShape = Shape.of(k.n(), k.c(), 1, 1);
                assertEquals(expectedShape, avg.shape(), "global avg shape");
                assertEquals(expectedShape, max.shape(), "global max shape");

                int planes = k.n() * k.c(), hw = k.h() * k.w();
                float[] xs = x.toArray();
                float[] mean = new float[planes], maxima = new float[planes];
                for (int p = 0; p < planes; p++) {
                    double sum = 0;
                    float m = Float.NEGATIVE_INFINITY;
                    for (int i = 0; i < hw; i++) {
                        float v = xs[p * hw + i];
                        sum += v;
                        m = Math.max(m, v);
                    }
                    mean[p] = (float) (sum / hw);
                    maxima[p] = m;
                }
                // Terms of the mean are x/(H·W).
                Tolerance.forReduction(hw, Tolerance.rms(xs) / hw).assertClose("global avg", mean, avg.toArray());
                assertArrayEquals(maxima, max.toArray(), "global max");
            }
        });
    }
}
