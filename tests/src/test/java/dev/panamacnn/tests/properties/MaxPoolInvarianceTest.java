package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.reference.PoolRef;
import java.lang.foreign.Arena;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Property 7: max pooling only sees each window's maximum. Lowering any element that is not the
 * maximum of a window containing it leaves the output bit-identical; raising one element above
 * everything changes exactly the outputs whose window contains it, to that value; and each output
 * is the maximum of its window's in-bounds elements, so padding never wins even when all of them
 * are negative.
 *
 * <p>Windows are derived here from the spec's geometry (window i covers rows
 * {@code [i·s − padTop, i·s − padTop + k)} clipped to the input), so a kernel that reads the
 * wrong rows or columns fails one half or the other.
 */
class MaxPoolInvarianceTest {

    /** For one plane: whether element (y, z) is the maximum of some window that contains it. */
    private static boolean[] windowMaxima(float[] xs, int base, int h, int w, Pool2dSpec s, int oh, int ow) {
        boolean[] isMax = new boolean[h * w];
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++) {
                int top = i * s.strideH() - s.padTop(), left = j * s.strideW() - s.padLeft();
                int y0 = Math.max(0, top), y1 = Math.min(h, top + s.kernelH());
                int z0 = Math.max(0, left), z1 = Math.min(w, left + s.kernelW());
                float m = Float.NEGATIVE_INFINITY;
                for (int y = y0; y < y1; y++)
                    for (int z = z0; z < z1; z++) m = Math.max(m, xs[base + y * w + z]);
                for (int y = y0; y < y1; y++)
                    for (int z = z0; z < z1; z++) isMax[y * w + z] |= xs[base + y * w + z] == m;
            }
        return isMax;
    }

    @Test
    void outputIsTheMaximumOfTheInBoundsWindow() {
        Props.qt(200).forAll(Gens.poolCases()).checkAssert(pc -> {
            try (Arena arena = Arena.ofConfined()) {
                // Mostly negative data: a kernel that let zero padding win would show it.
                Tensor x = Tensor.randomNormal(arena, pc.seed(), -2f, 1f, pc.n(), pc.c(), pc.h(), pc.w());
                Tensor y = PoolRef.maxPool2d(x, pc.spec(), arena);
                Pool2dSpec s = pc.spec();
                int h = pc.h(), w = pc.w(), oh = y.dim(2), ow = y.dim(3);
                float[] xs = x.toArray(), expected = new float[(int) y.size()];
                for (int plane = 0; plane < pc.n() * pc.c(); plane++)
                    for (int i = 0; i < oh; i++)
                        for (int j = 0; j < ow; j++) {
                            int top = i * s.strideH() - s.padTop(), left = j * s.strideW() - s.padLeft();
                            float m = Float.NEGATIVE_INFINITY;
                            for (int r = Math.max(0, top); r < Math.min(h, top + s.kernelH()); r++)
                                for (int c = Math.max(0, left); c < Math.min(w, left + s.kernelW()); c++)
                                    m = Math.max(m, xs[plane * h * w + r * w + c]);
                            expected[(plane * oh + i) * ow + j] = m;
                        }
                assertArrayEquals(expected, y.toArray());
            }
        });
    }

    @Test
    void loweringNonMaximaLeavesOutputUnchanged() {
        // Kernels at least 2 rows tall, so most examples have elements that are not window maxima;
        // tiny inputs where every element is some window's maximum are vacuous, so count the rest.
        int[] runs = {0}, nonVacuous = {0};
        Props.qt(200).forAll(Gens.poolCases(2), Gens.seeds()).checkAssert((pc, dropSeed) -> {
            try (Arena arena = Arena.ofConfined()) {
                Tensor x = pc.input(arena);
                Tensor y = PoolRef.maxPool2d(x, pc.spec(), arena);
                int h = pc.h(), w = pc.w(), oh = y.dim(2), ow = y.dim(3);
                float[] xs = x.toArray();
                RandomGenerator rng = Tensor.rng(dropSeed);
                int lowered = 0;
                for (int plane = 0; plane < pc.n() * pc.c(); plane++) {
                    boolean[] isMax = windowMaxima(xs, plane * h * w, h, w, pc.spec(), oh, ow);
                    for (int e = 0; e < h * w; e++) {
                        if (!isMax[e]) {
                            xs[plane * h * w + e] -= (float) (0.01 + 3 * rng.nextDouble());
                            lowered++;
                        }
                    }
                }
                runs[0]++;
                if (lowered > 0) nonVacuous[0]++;
                Tensor lowerX = Tensor.of(arena, xs, x.shape().dims());
                assertArrayEquals(y.toArray(), PoolRef.maxPool2d(lowerX, pc.spec(), arena).toArray());
            }
        });
        assertTrue(2 * nonVacuous[0] > runs[0],
                "only " + nonVacuous[0] + " of " + runs[0] + " examples lowered any element");
    }

    @Test
    void raisingOneElementChangesExactlyTheWindowsHoldingIt() {
        Props.qt(200).forAll(Gens.poolCases(), Gens.seeds()).checkAssert((pc, pick) -> {
            try (Arena arena = Arena.ofConfined()) {
                Tensor x = pc.input(arena);
                float[] before = PoolRef.maxPool2d(x, pc.spec(), arena).toArray();
                RandomGenerator rng = Tensor.rng(pick);
                int b = rng.nextInt(pc.n()), ch = rng.nextInt(pc.c());
                int py = rng.nextInt(pc.h()), pz = rng.nextInt(pc.w());
                float raised = 100f + (float) rng.nextDouble(); // data is N(0, 1): this is the new maximum
                x.set(raised, b, ch, py, pz);
                Tensor after = PoolRef.maxPool2d(x, pc.spec(), arena);
                Pool2dSpec s = pc.spec();
                int oh = after.dim(2), ow = after.dim(3);
                float[] expected = before.clone();
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        int top = i * s.strideH() - s.padTop(), left = j * s.strideW() - s.padLeft();
                        if (top <= py && py < top + s.kernelH() && left <= pz && pz < left + s.kernelW()) {
                            expected[((b * pc.c() + ch) * oh + i) * ow + j] = raised;
                        }
                    }
                assertEquals(after.size(), expected.length);
                assertArrayEquals(expected, after.toArray(), "raised x" + java.util.Arrays.toString(
                        new int[] {b, ch, py, pz}));
            }
        });
    }
}
