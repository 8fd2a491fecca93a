package dev.panamacnn.tests.properties;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Residual;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The simd backend's Winograd F(2×2, 3×3) convolution computes what the reference computes, on
 * images whose output tiles come in whole groups of 7 (14×14, 14×28, 28×14, 28×28, 42×14…): a
 * 3×3 convolution after a first one (16 to 64 input and 32 or 64 output channels), or a ResNet
 * basic block (3×3 → 3×3 plus the block input, with or without a halo around it, ReLU or no
 * clamp after the addition), batch 1 or 2, 1 to 3 threads. The image has 1 to 3 channels and
 * goes through a first convolution, so the layers under test read blocked inputs with halos.
 */
class WinogradConvTest {

    record Block(Shape input, Layer net, int mid, long seed) {}

    static Gen<Block> blocks() {
        return in -> {
            int n = integers().between(1, 2).generate(in), c = integers().between(1, 3).generate(in);
            int mid = 16 * integers().between(1, 4).generate(in);
            int[][] sizes = {{14, 14}, {14, 28}, {28, 14}, {28, 28}, {42, 14}, {14, 42}};
            int[] hw = sizes[integers().between(0, sizes.length - 1).generate(in)];
            boolean residual = booleans().all().generate(in) && mid % 32 == 0;
            int out = 32 * integers().between(1, 2).generate(in);
            Activation after = booleans().all().generate(in) ? Activation.RELU : Activation.IDENTITY;
            Conv2dSpec s3 = Conv2dSpec.of(3).padding(1);
            var b = Sequential.builder().add("stem", new Conv2d(c, mid, s3, true)).add("relu", Act.relu());
            if (residual) {
                // A ResNet basic block; a 3×3 convolution after it gives the block's input and
                // output a halo (they share one, through the residual), else neither has one.
                Layer body = Sequential.builder().add("a", new Conv2d(mid, mid, s3, true)).add("r", Act.relu())
                        .add("b", new Conv2d(mid, mid, s3, booleans().all().generate(in))).build();
                b.add("block", Residual.identity(body, after));
                switch (integers().between(0, 2).generate(in)) {
                    // Two more layers, whose values reuse the block's memory: the block's halos are
                    // dirty on the second run unless each run rewrites them.
                    case 0 -> b.add("tail", new Conv2d(mid, out, s3, true)).add("r2", Act.relu())
                            .add("end", new Conv2d(out, out, s3, true));
                    // A 5×5 convolution padded by 2 after the block: its input and output get a halo of 2.
                    case 1 -> b.add("wide", new Conv2d(mid, out, Conv2dSpec.of(5).padding(2), true));
                    default -> { } // the block is the output: no halo
                }
            } else {
                b.add("conv", new Conv2d(mid, out, s3, booleans().all().generate(in)));
                if (after == Activation.RELU) b.add("relu2", Act.relu());
            }
            return new Block(Shape.of(n, c, hw[0], hw[1]), b.build(), mid, integers().all().generate(in));
        };
    }

    private static void check(Block block, int threads) {
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(block.net(), block.input(), block.seed())) {
            Tensor x = Tensor.randomNormal(arena, block.seed() + 1, 0f, 1f, block.input().dims());
            Tensor expected = m.forward(x, Mode.INFERENCE, arena);
            try (CompiledModel plan = Compiler.compile(m, block.input(), CompileOptions.of(SimdBackends.fastest()).threads(threads))) {
                plan.run(x, arena);
                Tensor actual = plan.run(x, arena); // the second run: halos must be rewritten, memory is shared
                // The same bound as the direct kernels' (the transforms' few extra roundings fit in it).
                Tolerance.forReduction(9L * block.input().dim(1) + 27L * block.mid() + 25L * 64 + 1, 1.0)
                        .assertClose(block.net() + " on " + block.input() + " threads " + threads, expected, actual);
            }
        }
    }

    @Test
    void basicBlocksEqualReference() {
        Props.qt(40).forAll(blocks(), integers().between(1, 3)).checkAssert(WinogradConvTest::check);
    }
}
