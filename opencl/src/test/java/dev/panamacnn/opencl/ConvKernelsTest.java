package dev.panamacnn.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Residual;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.testing.Tolerance;
import org.junit.jupiter.api.Test;

/**
 * The GEMM convolution (plain, grouped, pointwise, dense) and the depthwise kernel against the
 * reference. On small-integer data every sum is exact, so results must match bit for bit; on
 * normal data, across several K tiles, within the reduction tolerance.
 */
class ConvKernelsTest {

    private static Layer withAct(Layer l, Activation act) {
        return act.kind() == Activation.Kind.IDENTITY ? Sequential.of(l) : Sequential.of(l, new Act(act));
    }

    @Test
    void convMatchesReferenceExactlyOnIntegers() {
        Harness.qt(60).forAll(Cases.convs(9)).checkAssert(cc -> {
            Layer conv = new Conv2d(cc.c(), cc.outC(), cc.spec(), cc.bias());
            Harness.Result r = Harness.run(withAct(conv, cc.act()), cc.input(), cc.seed(),
                    m -> Harness.integerParams(m, cc.seed()), x -> Harness.integers(x, cc.seed() + 1, -2, 2));
            assertTrue(r.step().startsWith("CONV"), r.steps().toString());
            Tolerance.EXACT.assertClose(cc.toString(), r.expected(), r.actual());
        });
    }

    /** Wide layers: several M tiles of output channels and several K tiles of reduction. */
    @Test
    void wideConvMatchesReferenceOnNormalData() {
        Harness.qt(8).forAll(integers().between(1, 70), integers().between(60, 140), integers().between(1, 9),
                longs().all()).checkAssert((c, o, side, seed) -> {
            Conv2dSpec spec = seed % 2 == 0 ? Conv2dSpec.of(3).padding(1) : Conv2dSpec.of(1);
            Shape in = Shape.of(1, c, side, side);
            Harness.Result r = Harness.run(new Conv2d(c, o, spec, true), in, seed, m -> {},
                    x -> x.fillNormal(seed, 0f, 1f));
            double termScale = Math.sqrt(2.0 / (c * spec.kernelH() * spec.kernelW())); // |x| ~ 1, Kaiming |w|
            Tolerance.forReduction(spec.macsPerOutput(c), termScale)
                    .assertClose("conv " + in + " -> " + o + " " + spec, r.expected(), r.actual());
        });
    }

    @Test
    void residualAndActivationFuseIntoTheConvEpilogue() {
        Harness.qt(25).forAll(integers().between(1, 12), integers().between(1, 14), Cases.clamps(), longs().all())
                .checkAssert((c, side, act, seed) -> {
            int k = (int) Math.floorMod(seed, 3L);
            boolean projected = (seed >> 8 & 1) == 1;
            int kernel = 2 * k + 1, o = projected ? c + 3 : c, stride = projected ? 2 : 1;
            Layer body = Sequential.of(Conv2d.of(c, o, Conv2dSpec.of(kernel).padding(k).stride(stride)));
            Layer block = projected
                    ? Residual.projected(body, Conv2d.of(c, o, Conv2dSpec.of(1).stride(stride)), act)
                    : Residual.identity(body, act);
            Shape in = Shape.of(2, c, side, side);
            Harness.Result r = Harness.run(block, in, seed, m -> Harness.integerParams(m, seed),
                    x -> Harness.integers(x, seed + 1, -2, 2));
            assertTrue(r.steps().stream().anyMatch(s -> s.startsWith("CONV") && s.contains(" +")), r.steps().toString());
            Tolerance.EXACT.assertClose(in + " k" + kernel + (projected ? " projected " : " identity ") + act,
                    r.expected(), r.actual());
        });
    }

    @Test
    void linearMatchesReferenceExactlyOnIntegers() {
        Harness.qt(25).forAll(integers().between(1, 5), integers().between(1, 300), integers().between(1, 150),
                longs().all()).checkAssert((n, f, o, seed) -> {
            Activation act = Cases.clampOf(seed);
            Harness.Result r = Harness.run(withAct(Linear.of(f, o), act), Shape.of(n, f), seed,
                    m -> Harness.integerParams(m, seed), x -> Harness.integers(x, seed + 1, -2, 2));
            assertTrue(r.step().startsWith("LINEAR"), r.steps().toString());
            Tolerance.EXACT.assertClose("linear [" + n + ", " + f + "] -> " + o + " " + act, r.expected(), r.actual());
        });
    }

    /** Every tiling the device can launch, forced for all layers, computes the same exact results. */
    @Test
    void everyGemmTilingMatchesTheReference() {
        OpenClDevice d = OpenClTests.backend().device();
        for (GemmTiling t : GemmTiling.CANDIDATES) {
            if (t.threads() > d.maxWorkGroupSize() || t.localBytes() > d.localMemBytes()) continue;
            System.setProperty(GemmTiling.PROPERTY, t.toString());
            try (OpenClBackend forced = OpenClBackend.create(String.valueOf(d.index()))) {
                System.clearProperty(GemmTiling.PROPERTY);
                Harness.qt(6).forAll(Cases.convs(20)).checkAssert(cc -> {
                    Layer conv = new Conv2d(cc.c(), cc.outC(), cc.spec(), cc.bias());
                    Harness.Result r = Harness.run(forced, withAct(conv, cc.act()), cc.input(), cc.seed(),
                            m -> Harness.integerParams(m, cc.seed()), x -> Harness.integers(x, cc.seed() + 1, -2, 2));
                    Tolerance.EXACT.assertClose(t + " " + cc, r.expected(), r.actual());
                });
            } finally {
                System.clearProperty(GemmTiling.PROPERTY);
            }
        }
    }

    @Test
    void depthwiseUsesTheDirectKernelAndMatches() {
        Shape in = Shape.of(2, 6, 9, 7);
        Conv2dSpec spec = Conv2dSpec.of(3, 2).stride(2, 1).padding(1, 0, 2, 1).dilation(1, 2).groups(6);
        Harness.Result r = Harness.run(Sequential.of(new Conv2d(6, 12, spec, true), Act.relu6()), in, 5,
                m -> Harness.integerParams(m, 5), x -> Harness.integers(x, 6, -2, 2));
        Tolerance.EXACT.assertClose("depthwise x2 " + spec, r.expected(), r.actual());
    }
}
