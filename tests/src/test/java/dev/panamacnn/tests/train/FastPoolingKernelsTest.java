package dev.panamacnn.tests.train;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.core.train.TrainingKernels;
import dev.panamacnn.simd.SimdTraining;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The simd max pooling (2×2 stride-2 vector kernel, general windows forward) equals the
 * reference bit for bit, forward and backward: values are small integers so windows often tie
 * (the first maximum must win, as in the reference), a few are NaN (a NaN must win), and sides
 * run from 2 past several vectors, odd and even, so masked tails and the scalar end blocks run.
 */
class FastPoolingKernelsTest {
    record Case(int n, int c, int h, int w, Pool2dSpec spec, long seed, boolean nan) {}

    static Gen<Case> cases() {
        return in -> {
            int h = integers().between(2, 41).generate(in), w = integers().between(2, 70).generate(in);
            Pool2dSpec spec;
            if (integers().between(0, 3).generate(in) > 0) {
                spec = Pool2dSpec.of(2).stride(2).ceilMode(booleans().all().generate(in));
            } else {
                int k = integers().between(1, Math.min(3, Math.min(h, w))).generate(in);
                spec = Pool2dSpec.of(k).stride(integers().between(1, 3).generate(in))
                        .padding(integers().between(0, k / 2).generate(in));
            }
            return new Case(integers().between(1, 3).generate(in), integers().between(1, 4).generate(in), h, w,
                    spec, longs().all().generate(in), integers().between(0, 4).generate(in) == 0);
        };
    }

    static void compare(Case c, int threads) {
        Shape in = Shape.of(c.n(), c.c(), c.h(), c.w());
        Shape out = c.spec().outputShape(in);
        try (Arena arena = Arena.ofShared(); TrainingKernels fast = SimdTraining.create(threads)) {
            Tensor x = Tensor.randomNormal(arena, c.seed(), 0f, 2f, in.dims());
            for (long i = 0; i < x.size(); i++) x.setFlat(i, Math.round(x.getFlat(i)));
            if (c.nan()) {
                for (long i = 0; i < x.size(); i += 7) x.setFlat(i, Float.NaN);
            }
            Tensor dy = Tensor.randomNormal(arena, c.seed() + 1, 0f, 1f, out.dims());
            TrainingKernels[] ks = {TrainingKernels.reference(), fast};
            Tensor[] y = new Tensor[2], dx = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                y[i] = Tensor.full(arena, -7f, out.dims());
                ks[i].maxPool2d(x, c.spec(), y[i]);
                dx[i] = Tensor.full(arena, Float.NaN, in.dims()); // must be overwritten
                ks[i].maxPool2dBackward(x, c.spec(), dy, dx[i]);
            }
            String what = c + " threads " + threads;
            Tolerance.EXACT.assertClose(what + " forward", y[0], y[1]);
            Tolerance.EXACT.assertClose(what + " backward", dx[0], dx[1]);
        }
    }

    @Test
    void maxPoolingEqualsReference() {
        GradientCheckTest.qt(150).forAll(cases(), integers().between(1, 2)).checkAssert(FastPoolingKernelsTest::compare);
    }

    @Test
    void lenetShapes() {
        compare(new Case(64, 6, 28, 28, Pool2dSpec.of(2).stride(2), 1, false), 1);
        compare(new Case(64, 16, 10, 10, Pool2dSpec.of(2).stride(2), 2, true), 2);
        compare(new Case(3, 16, 14, 14, Pool2dSpec.of(2).stride(2), 3, false), 2);
    }

    /**
     * The unmasked 2×2 path writes junk past a row's end that later stores must cover: rows of one
     * short block, of full blocks then a short (masked) one, tiny and odd planes, the range's last rows.
     */
    @Test
    void unmaskedBlocksLeaveNoJunk() {
        for (int[] hw : new int[][] {{2, 2}, {3, 3}, {5, 7}, {7, 39}, {6, 64}, {4, 66}, {9, 33}, {10, 10}}) {
            compare(new Case(2, 3, hw[0], hw[1], Pool2dSpec.of(2).stride(2), hw[1], hw[0] % 2 == 1), 1);
        }
    }
}
