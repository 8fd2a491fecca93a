package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.core.reference.PoolRef;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Property 1: output sizes. The closed-form sizes in {@link Conv2dSpec} and {@link Pool2dSpec}
 * equal a brute-force count of window positions, and the kernels return tensors of that size.
 */
class OutputSizeTest {

    /** One axis of a window sweep: input length, kernel, stride, dilation, padding before/after. */
    record Axis(int in, int k, int s, int d, int p0, int p1) {
        int extent() {
            return d * (k - 1) + 1;
        }
    }

    private static Gen<Axis> convAxes() {
        return in -> new Axis(integers().between(1, 40).generate(in), integers().between(1, 7).generate(in),
                integers().between(1, 4).generate(in), integers().between(1, 3).generate(in),
                integers().between(0, 4).generate(in), integers().between(0, 4).generate(in));
    }

    private static Gen<Axis> poolAxes() {
        return in -> {
            int k = integers().between(1, 7).generate(in);
            return new Axis(integers().between(1, 40).generate(in), k, integers().between(1, 4).generate(in),
                    1, integers().between(0, k / 2).generate(in), integers().between(0, k / 2).generate(in));
        };
    }

    /** Counts windows i = 0, 1, … whose dilated extent lies inside the padded input. */
    private static int bruteForceConvPositions(Axis a) {
        int count = 0;
        for (int i = 0; i * a.s() + a.extent() <= a.in() + a.p0() + a.p1(); i++) count++;
        return count;
    }

    /**
     * PyTorch's pooling rule, counted: window i starts at i·s in the padded input. Floor mode keeps
     * windows that end inside the padded input. Ceil mode also keeps a partial last window as long
     * as the previous one had not reached the end of the padded input. Either way a window must
     * start inside the input or the leading padding.
     */
    private static int bruteForcePoolPositions(Axis a, boolean ceil) {
        int padded = a.in() + a.p0() + a.p1();
        int count = 0;
        for (int i = 0; ; i++) {
            int start = i * a.s();
            boolean fits = ceil ? i == 0 || (i - 1) * a.s() + a.k() < padded : start + a.k() <= padded;
            if (!fits || start >= a.in() + a.p0()) break;
            count++;
        }
        return count;
    }

    @Test
    void convOutputSizeMatchesFormulaAndCount() {
        Props.qt(2000).forAll(convAxes()).checkAssert(a -> {
            Conv2dSpec spec = Conv2dSpec.of(a.k(), 1).stride(a.s(), 1).dilation(a.d(), 1)
                    .padding(a.p0(), 0, a.p1(), 0);
            if (a.extent() > a.in() + a.p0() + a.p1()) {
                assertThrows(IllegalArgumentException.class, () -> spec.outH(a.in()));
                assertEquals(0, bruteForceConvPositions(a));
                return;
            }
            int formula = Math.floorDiv(a.in() + a.p0() + a.p1() - a.d() * (a.k() - 1) - 1, a.s()) + 1;
            assertEquals(formula, spec.outH(a.in()), "formula");
            assertEquals(bruteForceConvPositions(a), spec.outH(a.in()), "window count");
            // The width axis uses the same rule.
            Conv2dSpec transposed = Conv2dSpec.of(1, a.k()).stride(1, a.s()).dilation(1, a.d())
                    .padding(0, a.p0(), 0, a.p1());
            assertEquals(formula, transposed.outW(a.in()), "width");
        });
    }

    @Test
    void convKernelReturnsTensorOfCountedSize() {
        Props.qt(150).forAll(Gens.convCases()).checkAssert(cc -> {
            Conv2dSpec s = cc.spec();
            int oh = bruteForceConvPositions(new Axis(cc.h(), s.kernelH(), s.strideH(), s.dilationH(),
                    s.padTop(), s.padBottom()));
            int ow = bruteForceConvPositions(new Axis(cc.w(), s.kernelW(), s.strideW(), s.dilationW(),
                    s.padLeft(), s.padRight()));
            try (Arena arena = Arena.ofConfined()) {
                Tensor y = ConvRef.conv2d(cc.input(arena), cc.weight(arena), null, s, arena);
                assertEquals(Shape.of(cc.n(), cc.outC(), oh, ow), y.shape());
            }
        });
    }

    @Test
    void poolOutputSizeMatchesPyTorchRuleCounted() {
        Props.qt(2000).forAll(poolAxes(), booleans().all()).checkAssert((a, ceil) -> {
            Pool2dSpec spec = Pool2dSpec.of(a.k(), 1).stride(a.s(), 1).padding(a.p0(), 0, a.p1(), 0)
                    .ceilMode(ceil);
            if (a.k() > a.in() + a.p0() + a.p1()) {
                assertThrows(IllegalArgumentException.class, () -> spec.outH(a.in()));
                return;
            }
            assertEquals(bruteForcePoolPositions(a, ceil), spec.outH(a.in()), "window count");
            Pool2dSpec transposed = Pool2dSpec.of(1, a.k()).stride(1, a.s()).padding(0, a.p0(), 0, a.p1())
                    .ceilMode(ceil);
            assertEquals(bruteForcePoolPositions(a, ceil), transposed.outW(a.in()), "width");
        });
    }

    @Test
    void poolKernelsReturnTensorsOfCountedSize() {
        Props.qt(150).forAll(Gens.poolCases()).checkAssert(pc -> {
            Pool2dSpec s = pc.spec();
            int oh = bruteForcePoolPositions(new Axis(pc.h(), s.kernelH(), s.strideH(), 1, s.padTop(),
                    s.padBottom()), s.ceilMode());
            int ow = bruteForcePoolPositions(new Axis(pc.w(), s.kernelW(), s.strideW(), 1, s.padLeft(),
                    s.padRight()), s.ceilMode());
            Shape expected = Shape.of(pc.n(), pc.c(), oh, ow);
            try (Arena arena = Arena.ofConfined()) {
                Tensor x = pc.input(arena);
                assertEquals(expected, PoolRef.maxPool2d(x, s, arena).shape(), "max pool");
                assertEquals(expected, PoolRef.avgPool2d(x, s, arena).shape(), "avg pool");
            }
        });
    }
}
