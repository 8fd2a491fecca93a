package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.core.testing.Tolerance;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * Property 11: im2col and col2im are adjoint linear maps, {@code ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩}
 * (so col2im is the backward pass of im2col), and a convolution with one group is the matrix
 * product of its weight reshaped to {@code [O, C·kH·kW]} with {@code im2col(x)}.
 */
class Im2colTest {

    @Test
    void im2colAndCol2imAreAdjoint() {
        Props.qt(150).forAll(Gens.convCases()).checkAssert(cc -> {
            try (Arena arena = Arena.ofConfined()) {
                Tensor x = cc.input(arena);
                Tensor cols = ConvRef.im2col(x, cc.spec(), arena);
                int kk = cc.spec().kernelH() * cc.spec().kernelW();
                assertEquals(Shape.of(cc.n(), cc.c() * kk, cc.outH() * cc.outW()), cols.shape(), "im2col shape");
                Tensor c = Tensor.randomNormal(arena, ~cc.seed(), 0f, 1f, cols.shape().dims());
                Tensor back = ConvRef.col2im(c, cc.c(), cc.h(), cc.w(), cc.spec(), arena);
                assertEquals(x.shape(), back.shape(), "col2im shape");

                float[] xs = x.toArray(), cs = c.toArray();
                double lhs = Props.dot(cols.toArray(), cs);
                double rhs = Props.dot(xs, back.toArray());
                Props.assertScalarClose("<im2col(x), c> vs <x, col2im(c)>", lhs, rhs,
                        Tolerance.forReduction(cs.length, Tolerance.rms(xs) * Tolerance.rms(cs)));
            }
        });
    }

    @Test
    void convIsWeightMatrixTimesIm2col() {
        Props.qt(150).forAll(Gens.convCases(5, 3, 3, false)).checkAssert(cc -> {
            try (Arena arena = Arena.ofConfined()) {
                Tensor x = cc.input(arena), w = cc.weight(arena);
                Tensor y = ConvRef.conv2d(x, w, null, cc.spec(), arena);
                Tensor cols = ConvRef.im2col(x, cc.spec(), arena);
                int rows = cols.dim(1), pixels = cols.dim(2), o = cc.outC();
                float[] wm = w.reshape(o, rows).toArray(), cm = cols.toArray();
                float[] expected = new float[(int) y.size()];
                for (int b = 0; b < cc.n(); b++)
                    for (int oc = 0; oc < o; oc++)
                        for (int p = 0; p < pixels; p++) {
                            double acc = 0;
                            for (int r = 0; r < rows; r++) {
                                acc += (double) wm[oc * rows + r] * cm[(b * rows + r) * pixels + p];
                            }
                            expected[(b * o + oc) * pixels + p] = (float) acc;
                        }
                Tolerance.forReduction(rows, Tolerance.rms(x.toArray()) * Tolerance.rms(wm))
                        .assertClose("conv vs W·im2col(x)", expected, y.toArray());
            }
        });
    }
}
