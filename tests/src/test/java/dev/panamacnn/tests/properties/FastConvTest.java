package dev.panamacnn.tests.properties;

import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Residual;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.plan.Backend;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.ConvAlgorithm;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * The fast convolution (im2col-packed GEMM, direct pointwise and depthwise paths, fused bias,
 * residual and clamp) equals the reference over random shapes: odd and prime sizes, every
 * stride/padding/dilation/group layout, widths across vector and panel tails, 1–3 threads —
 * with the per-layer choice and with each convolution algorithm forced.
 */
class FastConvTest {

    private static void check(Gens.ConvCase cs, boolean bias, boolean residual, int threads) {
        check(cs, bias, residual, threads, SimdBackends.fastest());
    }

    private static void check(Gens.ConvCase cs, boolean bias, boolean residual, int threads, Backend backend) {
        Layer conv = new Conv2d(cs.c(), cs.outC(), cs.spec(), bias);
        Shape in = Shape.of(cs.n(), cs.c(), cs.h(), cs.w());
        Shape out = conv.outputShape(in);
        boolean canAdd = residual && out.equals(in);
        Layer net = canAdd ? Residual.identity(Sequential.builder().add("conv", conv).build(), Activation.RELU)
                : Sequential.builder().add("conv", conv).add("relu6", dev.panamacnn.core.layers.Act.relu6()).build();
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(net, in, cs.seed())) {
            m.params().get("conv.weight").fillNormal(cs.seed() + 1, 0f, 1f);
            if (bias) m.params().get("conv.bias").fillNormal(cs.seed() + 2, 0f, 1f);
            Tensor x = cs.input(arena);
            Tensor expected = m.forward(x, Mode.INFERENCE, arena);
            try (CompiledModel plan = Compiler.compile(m, in,
                    CompileOptions.of(backend).threads(threads))) {
                Tensor actual = plan.run(x, arena);
                long k = cs.spec().macsPerOutput(cs.c());
                Tolerance.forReduction(k, 1.0).assertClose(cs + " bias " + bias + " residual " + canAdd
                        + " threads " + threads, expected, actual);
            }
        }
    }

    @Test
    void fastConvEqualsReference() {
        Props.qt(120).forAll(Gens.convCases(5, 3, 2, true), integers().between(1, 3), integers().between(0, 3))
                .checkAssert((cs, threads, flags) -> check(cs, (flags & 1) != 0, (flags & 2) != 0, threads));
    }

    @Test
    void resNetShapedConvsEqualReference() {
        // Wide planes (many NR panels and KC blocks): 3×3 s1/s2, 1×1 s2 projection, 7×7 s2 stem.
        int[][] shapes = {{16, 16, 3, 1, 1, 30}, {16, 32, 3, 2, 1, 31}, {16, 32, 1, 2, 0, 29}, {3, 8, 7, 2, 3, 45},
                {48, 24, 3, 1, 1, 9}};
        for (int[] s : shapes) {
            var spec = dev.panamacnn.core.ops.Conv2dSpec.of(s[2]).stride(s[3]).padding(s[4]);
            check(new Gens.ConvCase(1, s[0], s[5], s[5] + 3, s[1], spec, s[5]), true, s[0] == s[1] && s[3] == 1, 2);
        }
    }

    @Test
    void directConvEqualsReference() {
        // Ungrouped convs, forced onto the direct kernel: widths across the 7-pixel tile, output
        // channels across the 32-channel panel, strides 1, 2 (specialised) and 3 (general).
        Props.qt(100).forAll(Gens.convCases(5, 3, 2, false), integers().between(1, 3), integers().between(0, 3))
                .checkAssert((cs, threads, flags) -> check(cs, (flags & 1) != 0, (flags & 2) != 0, threads,
                        SimdBackends.simd(ConvAlgorithm.DIRECT)));
    }

    @Test
    void directConvOnWideChannelsAndBatches() {
        // Several 32-channel panels, batch > 1, residual + ReLU epilogue, the shapes AUTO sends to it
        // (incl. 1×1 projections with K ≥ 192, which read their unpadded input in place).
        int[][] shapes = {{40, 70, 3, 1, 1, 14, 2}, {64, 64, 3, 1, 1, 7, 1}, {33, 65, 3, 2, 1, 15, 3}, {20, 20, 3, 1, 1, 9, 2},
                {30, 40, 5, 2, 2, 17, 1}, {200, 40, 1, 1, 0, 9, 2}, {192, 70, 1, 2, 0, 13, 1}};
        for (int[] s : shapes) {
            var spec = dev.panamacnn.core.ops.Conv2dSpec.of(s[2]).stride(s[3]).padding(s[4]);
            var cs = new Gens.ConvCase(s[6], s[0], s[5], s[5] + 2, s[1], spec, s[5]);
            for (int threads = 1; threads <= 2; threads++) {
                check(cs, true, s[0] == s[1] && s[3] == 1, threads, SimdBackends.simd(ConvAlgorithm.DIRECT));
                check(cs, true, s[0] == s[1] && s[3] == 1, threads, SimdBackends.simd(ConvAlgorithm.AUTO));
            }
        }
    }
}
