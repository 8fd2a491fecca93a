package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.reference.PoolRef;
import dev.panamacnn.core.testing.Tolerance;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * Average pooling's divisor, PyTorch's rule: without {@code countIncludePad} a window averages its
 * in-bounds elements only, so it lies between their minimum and maximum and a constant input stays
 * constant; with it, padded positions inside the padded input count as zeros, so an all-ones input
 * gives (in-bounds elements) / (window area clipped to the padded input).
 */
class AvgPoolDivisorTest {

    /** Window i along one axis: [i·s − p0, i·s − p0 + k) clipped to [−p0, in + p1). */
    private static int[] window(int i, int s, int k, int p0, int p1, int in) {
        int start = i * s - p0;
        return new int[] {start, Math.min(start + k, in + p1)};
    }

    @Test
    void onesInputGivesInBoundsShareOfWindow() {
        Props.qt(200).forAll(Gens.poolCases()).checkAssert(pc -> {
            Pool2dSpec s = pc.spec();
            try (Arena arena = Arena.ofConfined()) {
                Tensor y = PoolRef.avgPool2d(Tensor.ones(arena, pc.n(), pc.c(), pc.h(), pc.w()), s, arena);
                int oh = y.dim(2), ow = y.dim(3);
                float[] expected = new float[(int) y.size()];
                for (int plane = 0; plane < pc.n() * pc.c(); plane++)
                    for (int i = 0; i < oh; i++)
                        for (int j = 0; j < ow; j++) {
                            int[] r = window(i, s.strideH(), s.kernelH(), s.padTop(), s.padBottom(), pc.h());
                            int[] c = window(j, s.strideW(), s.kernelW(), s.padLeft(), s.padRight(), pc.w());
                            int inside = (Math.min(r[1], pc.h()) - Math.max(r[0], 0))
                                    * (Math.min(c[1], pc.w()) - Math.max(c[0], 0));
                            int area = (r[1] - r[0]) * (c[1] - c[0]);
                            expected[(plane * oh + i) * ow + j] =
                                    s.countIncludePad() ? (float) ((double) inside / area) : 1f;
                        }
                Tolerance.elementwise().assertClose("avg pool of ones", expected, y.toArray());
            }
        });
    }

    @Test
    void averageOfInBoundsLiesBetweenMinAndMax() {
        Props.qt(200).forAll(Gens.poolCases()).checkAssert(pc -> {
            Pool2dSpec s = pc.spec().countIncludePad(false);
            try (Arena arena = Arena.ofConfined()) {
                // Positive data: a divisor counting padding would pull averages below the minimum.
                Tensor x = Tensor.randomUniform(arena, pc.seed(), 1f, 2f, pc.n(), pc.c(), pc.h(), pc.w());
                float[] neg = x.toArray();
                for (int i = 0; i < neg.length; i++) neg[i] = -neg[i];
                float[] avg = PoolRef.avgPool2d(x, s, arena).toArray();
                float[] max = PoolRef.maxPool2d(x, s, arena).toArray();
                float[] negMax = PoolRef.maxPool2d(Tensor.of(arena, neg, x.shape().dims()), s, arena).toArray();
                for (int i = 0; i < avg.length; i++) {
                    float min = -negMax[i];
                    // Rounding the mean may step one ulp past an extreme when all elements are close.
                    assertTrue(Math.nextDown(min) <= avg[i] && avg[i] <= Math.nextUp(max[i]),
                            "output " + i + ": avg " + avg[i] + " outside [" + min + ", " + max[i] + "]");
                }
            }
        });
    }
}
