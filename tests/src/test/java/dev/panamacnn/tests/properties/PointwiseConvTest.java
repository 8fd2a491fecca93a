package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.core.reference.DenseRef;
import dev.panamacnn.core.testing.Tolerance;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Property 2: a 1×1 convolution (stride 1, no padding) keeps H×W and is, at every pixel, the
 * matrix product of the {@code [O, C]} weight with that pixel's channel vector — i.e. a dense
 * layer applied to the {@code [N·H·W, C]} pixel rows.
 */
class PointwiseConvTest {

    record Case(int n, int c, int o, int h, int w, long seed) {}

    private static Gen<Case> cases() {
        return in -> new Case(integers().between(1, 3).generate(in), integers().between(1, 11).generate(in),
                integers().between(1, 11).generate(in), integers().between(1, 13).generate(in),
                integers().between(1, 13).generate(in), Gens.seeds().generate(in));
    }

    @Test
    void pointwiseConvIsPerPixelMatrixProduct() {
        Props.qt(150).forAll(cases()).checkAssert(k -> {
            try (Arena arena = Arena.ofConfined()) {
                Tensor x = Tensor.randomNormal(arena, k.seed(), 0f, 1f, k.n(), k.c(), k.h(), k.w());
                Tensor w = Tensor.randomNormal(arena, ~k.seed(), 0f, 1f, k.o(), k.c(), 1, 1);
                Tensor y = ConvRef.conv2d(x, w, null, Conv2dSpec.of(1), arena);
                assertEquals(Shape.of(k.n(), k.o(), k.h(), k.w()), y.shape(), "1x1 conv keeps H x W");

                int hw = k.h() * k.w();
                // NCHW -> rows of pixels [N·H·W, C].
                Tensor rows = Tensor.allocate(arena, Shape.of(k.n() * hw, k.c()));
                for (int b = 0; b < k.n(); b++)
                    for (int ch = 0; ch < k.c(); ch++)
                        for (int p = 0; p < hw; p++)
                            rows.set(x.getFlat(((long) b * k.c() + ch) * hw + p), b * hw + p, ch);
                Tensor prod = DenseRef.linear(rows, w.reshape(k.o(), k.c()), null, arena);
                // [N·H·W, O] -> NCHW.
                float[] expected = new float[(int) y.size()];
                for (int b = 0; b < k.n(); b++)
                    for (int o = 0; o < k.o(); o++)
                        for (int p = 0; p < hw; p++)
                            expected[(b * k.o() + o) * hw + p] = prod.get(b * hw + p, o);

                double termScale = Tolerance.rms(x.toArray()) * Tolerance.rms(w.toArray());
                Tolerance.forReduction(k.c(), termScale).assertClose("1x1 conv vs per-pixel matmul",
                        expected, y.toArray());
            }
        });
    }
}
