package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.reference.ConvRef;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Property 4: one 5×5 convolution and two stacked 3×3 convolutions see the same 5×5 receptive
 * field (VGG's argument), with 25 versus 18 weights per channel pair. Perturbing one input pixel
 * changes exactly the same output pixels in both, and exactly those whose 5×5 window holds it.
 */
class ReceptiveFieldTest {

    /**
     * Input {@code [n, c, h, w]}, {@code mid} channels between the 3×3 layers, {@code out} output
     * channels; "same" padding (2, resp. 1 per layer) or none; the perturbed pixel.
     */
    record Case(int n, int c, int mid, int out, int h, int w, boolean same,
                int pb, int pc, int py, int px, long seed) {}

    private static Gen<Case> cases() {
        return in -> {
            int n = integers().between(1, 2).generate(in);
            int c = integers().between(1, 3).generate(in);
            int h = integers().between(5, 11).generate(in);
            int w = integers().between(5, 11).generate(in);
            return new Case(n, c, integers().between(1, 3).generate(in), integers().between(1, 3).generate(in),
                    h, w, booleans().all().generate(in),
                    integers().between(0, n - 1).generate(in), integers().between(0, c - 1).generate(in),
                    integers().between(0, h - 1).generate(in), integers().between(0, w - 1).generate(in),
                    Gens.seeds().generate(in));
        };
    }

    /**
     * Which outputs differ (bitwise) between the unperturbed and perturbed input. Weights are
     * positive (in [0.5, 1.5]) and the perturbation is +3, so every path from the pixel adds a
     * positive amount and no change can cancel out.
     */
    private static boolean[] changed(Case k, boolean stacked, Arena arena) {
        Tensor x = Tensor.randomNormal(arena, k.seed(), 0f, 1f, k.n(), k.c(), k.h(), k.w());
        Tensor xp = x.copy(arena);
        xp.set(xp.get(k.pb(), k.pc(), k.py(), k.px()) + 3f, k.pb(), k.pc(), k.py(), k.px());
        float[] y0, y1;
        if (stacked) {
            Conv2dSpec s3 = Conv2dSpec.of(3).padding(k.same() ? 1 : 0);
            Tensor w1 = Tensor.randomUniform(arena, k.seed() + 1, 0.5f, 1.5f, s3.weightShape(k.c(), k.mid()).dims());
            Tensor w2 = Tensor.randomUniform(arena, k.seed() + 2, 0.5f, 1.5f, s3.weightShape(k.mid(), k.out()).dims());
            y0 = ConvRef.conv2d(ConvRef.conv2d(x, w1, null, s3, arena), w2, null, s3, arena).toArray();
            y1 = ConvRef.conv2d(ConvRef.conv2d(xp, w1, null, s3, arena), w2, null, s3, arena).toArray();
        } else {
            Conv2dSpec s5 = Conv2dSpec.of(5).padding(k.same() ? 2 : 0);
            Tensor w = Tensor.randomUniform(arena, k.seed() + 3, 0.5f, 1.5f, s5.weightShape(k.c(), k.out()).dims());
            y0 = ConvRef.conv2d(x, w, null, s5, arena).toArray();
            y1 = ConvRef.conv2d(xp, w, null, s5, arena).toArray();
        }
        boolean[] diff = new boolean[y0.length];
        for (int i = 0; i < diff.length; i++) diff[i] = Float.floatToRawIntBits(y0[i]) != Float.floatToRawIntBits(y1[i]);
        return diff;
    }

    /** Outputs whose 5×5 window (offset −2 with "same" padding, 0 without) holds the pixel. */
    private static boolean[] window(Case k) {
        int off = k.same() ? 2 : 0;
        int oh = k.same() ? k.h() : k.h() - 4, ow = k.same() ? k.w() : k.w() - 4;
        boolean[] in = new boolean[k.n() * k.out() * oh * ow];
        for (int o = 0; o < k.out(); o++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    int top = i - off, left = j - off;
                    in[((k.pb() * k.out() + o) * oh + i) * ow + j] =
                            top <= k.py() && k.py() < top + 5 && left <= k.px() && k.px() < left + 5;
                }
        return in;
    }

    @Test
    void fiveByFiveAndStackedThreeByThreeSeeTheSamePixels() {
        Props.qt(120).forAll(cases()).checkAssert(k -> {
            try (Arena arena = Arena.ofConfined()) {
                boolean[] single = changed(k, false, arena);
                boolean[] stacked = changed(k, true, arena);
                assertArrayEquals(window(k), single, "5x5 conv: changed outputs");
                assertArrayEquals(single, stacked, "3x3 after 3x3: changed outputs");
            }
        });
    }

    @Test
    void stackedThreeByThreeUsesFewerWeights() {
        Props.qt(50).forAll(integers().between(1, 64), integers().between(1, 64)).checkAssert((in, out) -> {
            Conv2dSpec s5 = Conv2dSpec.of(5), s3 = Conv2dSpec.of(3);
            long pairs = (long) in * out;
            assertEquals(25 * pairs, s5.weightShape(in, out).size(), "5x5 weights");
            // Two 3x3 layers with `out` channels in between: per channel pair 9 + 9 = 18 weights.
            long stacked = s3.weightShape(in, out).size() / pairs + s3.weightShape(out, out).size() / ((long) out * out);
            assertEquals(18, stacked, "3x3 + 3x3 weights per channel pair");
        });
    }
}
