package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Fixtures.coin;
import static dev.panamacnn.simd.kernels.Fixtures.draw;
import static dev.panamacnn.simd.kernels.Fixtures.seed;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.kernels.Fixtures.Placed;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** im2col equals {@link ConvRef#im2col} exactly (values are only moved). */
class Im2colKernelsTest {
    private static final int L = Vec.L;

    /** Bring the kernel to C2 first, so the property also checks the intrinsified code. */
    @BeforeAll
    static void warmUp() {
        Scenarios.warm(Scenarios.im2col(), 5);
    }

    record Case(int c, int h, int w, Conv2dSpec spec, long seed, long xOff, long colsOff, int cut1, int cut2) {}

    /** Half 3×3 pad 1 with stride 1 or 2 (the common cases), half k 1–4, strides 1–3, dilations 1–2. */
    static final Gen<Case> CASES = rs -> {
        Conv2dSpec spec;
        if (coin(rs)) {
            spec = Conv2dSpec.of(3).stride(draw(rs, 1, 2)).padding(1);
        } else {
            spec = Conv2dSpec.of(draw(rs, 1, 4), draw(rs, 1, 4)).stride(draw(rs, 1, 3), draw(rs, 1, 3))
                    .dilation(draw(rs, 1, 2), draw(rs, 1, 2))
                    .padding(draw(rs, 0, 2), draw(rs, 0, 2), draw(rs, 0, 2), draw(rs, 0, 2));
        }
        int extentH = (spec.kernelH() - 1) * spec.dilationH() + 1;
        int extentW = (spec.kernelW() - 1) * spec.dilationW() + 1;
        int c = draw(rs, 1, 3);
        int h = draw(rs, Math.max(1, extentH - spec.padTop() - spec.padBottom()), extentH + 5);
        int w = draw(rs, Math.max(1, extentW - spec.padLeft() - spec.padRight()), 4 * L + 7);
        int a = draw(rs, 0, c), b = draw(rs, 0, c);
        return new Case(c, h, w, spec, seed(rs), draw(rs, 0, L), draw(rs, 0, L), Math.min(a, b), Math.max(a, b));
    };

    @Test
    void equalsReferenceExactly() {
        qt().withExamples(300).forAll(CASES).checkAssert(k -> {
            try (Arena arena = Arena.ofConfined()) {
                float[] xd = Fixtures.uniform(k.seed, k.c * k.h * k.w, -2f, 2f);
                float[] expected = ConvRef.im2col(Tensor.of(arena, xd, 1, k.c, k.h, k.w), k.spec, arena).toArray();
                Placed x = Placed.of(arena, xd, k.xOff);
                Placed cols = Placed.empty(arena, expected.length, k.colsOff);
                int[] bounds = {k.cut1, k.cut2, 0, k.cut1, k.cut2, k.c};
                for (int r = 0; r < bounds.length; r += 2) {
                    Im2colKernels.im2col(x.segment(), x.offset(), cols.segment(), cols.offset(), k.c, k.h,
                            k.w, k.spec, bounds[r], bounds[r + 1]);
                }
                Tolerance.EXACT.assertClose("im2col", expected, cols.read());
                cols.assertGuardsIntact("columns");
            }
        });
    }

    @Test
    void badArgumentsAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            var s = arena.allocate(4096);
            Conv2dSpec spec = Conv2dSpec.of(3).padding(1);
            assertThrows(IllegalArgumentException.class, () -> Im2colKernels.im2col(s, 0, s, 0, 2, 8, 8, spec, 0, 3));
            assertThrows(IllegalArgumentException.class, () -> Im2colKernels.im2col(s, 0, s, 0, 1, 16, 16, spec, 0, 1)); // 2304 floats of columns
            assertThrows(IllegalArgumentException.class, () -> Im2colKernels.im2col(s, 0, s, 0, 1, 1, 1, Conv2dSpec.of(3), 0, 1));
        }
    }
}
