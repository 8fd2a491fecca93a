package dev.panamacnn.tests.properties;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.floats;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.core.testing.Tolerance;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Property 3: convolution without bias is linear in its input,
 * {@code conv(a·x + b·y) ≈ a·conv(x) + b·conv(y)}, for every geometry (strides, asymmetric
 * padding, dilation, groups, depthwise).
 */
class ConvLinearityTest {

    /** A coefficient with magnitude in [0.25, 4] and either sign: never zero. */
    private static Gen<Float> coefficients() {
        return floats().between(0.25f, 4f).zip(booleans().all(), (m, neg) -> neg ? -m : m);
    }

    @Test
    void convIsLinearInItsInput() {
        Props.qt(150).forAll(Gens.convCases(), coefficients(), coefficients()).checkAssert((cc, a, b) -> {
            try (Arena arena = Arena.ofConfined()) {
                Tensor x = cc.input(arena);
                Tensor y = Tensor.randomNormal(arena, cc.seed() + 1, 0.5f, 2f, x.shape().dims());
                Tensor w = cc.weight(arena);
                float[] xs = x.toArray(), ys = y.toArray();
                float[] mix = new float[xs.length];
                for (int i = 0; i < mix.length; i++) mix[i] = a * xs[i] + b * ys[i];
                Tensor combined = Tensor.of(arena, mix, x.shape().dims());

                float[] lhs = ConvRef.conv2d(combined, w, null, cc.spec(), arena).toArray();
                float[] cx = ConvRef.conv2d(x, w, null, cc.spec(), arena).toArray();
                float[] cy = ConvRef.conv2d(y, w, null, cc.spec(), arena).toArray();
                float[] rhs = new float[lhs.length];
                for (int i = 0; i < rhs.length; i++) rhs[i] = (float) ((double) a * cx[i] + (double) b * cy[i]);

                double termScale = (Math.abs(a) * Tolerance.rms(xs) + Math.abs(b) * Tolerance.rms(ys))
                        * Tolerance.rms(w.toArray());
                Tolerance.forReduction(cc.spec().macsPerOutput(cc.c()), termScale)
                        .assertClose("conv(a·x + b·y) vs a·conv(x) + b·conv(y)", rhs, lhs);
            }
        });
    }
}
