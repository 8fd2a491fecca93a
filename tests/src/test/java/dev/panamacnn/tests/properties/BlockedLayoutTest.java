package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Residual;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.plan.CompileOptions;
import dev.panamacnn.core.plan.CompiledModel;
import dev.panamacnn.core.plan.Compiler;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.SimdBackends;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The simd backend's blocked layout (NCHW16c between convolutions, additions, activations and
 * pooling) computes what the reference computes, over random chains that cross every boundary
 * of it: channel counts across whole and partial 16-channel blocks and 32-channel panels, an
 * NCHW image into a blocked convolution, blocked inputs into padded, unpadded, strided and
 * dilated direct convolutions and into depthwise ones, fused residuals, max/average pooling
 * (ceil mode, padding counted or not), global pooling, and reorders back to NCHW where a plain
 * operator (flatten, the model output) reads a blocked tensor.
 */
class BlockedLayoutTest {

    /** conv → [depthwise or k×k conv, maybe residual] → [pool] → [global pool | flatten + linear | output]. */
    record Chain(Shape input, Layer net, long macs, long seed) {}

    static Gen<Chain> chains() {
        return in -> {
            int n = integers().between(1, 2).generate(in), c = integers().between(1, 5).generate(in);
            int mid = integers().between(1, 40).generate(in);
            Conv2dSpec first = spec(in, 5, 2, 2, 1);
            int h = fit(in, first.kernelH(), first.dilationH(), first.padTop() + first.padBottom());
            int w = fit(in, first.kernelW(), first.dilationW(), first.padLeft() + first.padRight());
            Shape shape = Shape.of(n, c, h, w);
            var b = Sequential.builder().add("conv1", new Conv2d(c, mid, first, true));
            if (booleans().all().generate(in)) b.add("relu", Act.relu6());
            Layer l1 = b.build();
            Shape s1 = l1.outputShape(shape);
            long macs = first.macsPerOutput(c);

            boolean depthwise = booleans().all().generate(in);
            int out = depthwise ? mid : integers().between(1, 40).generate(in);
            Conv2dSpec second = spec(in, 3, 2, 2, depthwise ? mid : 1);
            int eh = (second.kernelH() - 1) * second.dilationH() + 1, ew = (second.kernelW() - 1) * second.dilationW() + 1;
            var body = Sequential.builder().add("l1", l1);
            Shape s2 = s1;
            if (s1.dim(2) + second.padTop() + second.padBottom() >= eh && s1.dim(3) + second.padLeft() + second.padRight() >= ew) {
                Layer conv2 = new Conv2d(mid, out, second, true);
                s2 = conv2.outputShape(s1);
                boolean residual = s2.equals(s1) && booleans().all().generate(in);
                Activation after = booleans().all().generate(in) ? Activation.RELU : Activation.IDENTITY;
                body.add("conv2", residual ? Residual.identity(Sequential.of(conv2), after) : conv2);
                macs += second.macsPerOutput(mid);
            }
            if (booleans().all().generate(in)) {
                int kh = integers().between(1, Math.min(3, s2.dim(2))).generate(in);
                int kw = integers().between(1, Math.min(3, s2.dim(3))).generate(in);
                Pool2dSpec p = Pool2dSpec.of(kh, kw).stride(integers().between(1, 2).generate(in), integers().between(1, 2).generate(in))
                        .padding(integers().between(0, kh / 2).generate(in), integers().between(0, kw / 2).generate(in),
                                integers().between(0, kh / 2).generate(in), integers().between(0, kw / 2).generate(in))
                        .ceilMode(booleans().all().generate(in)).countIncludePad(booleans().all().generate(in));
                Layer pool = booleans().all().generate(in) ? Pool2d.max(p) : Pool2d.avg(p);
                body.add("pool", pool);
                s2 = pool.outputShape(s2);
            }
            switch (integers().between(0, 2).generate(in)) {
                case 0 -> body.add("gap", booleans().all().generate(in) ? GlobalPool.avg() : GlobalPool.max());
                case 1 -> {
                    body.add("flatten", new Flatten());
                    body.add("fc", new Linear((int) s2.sizeFrom(1), 7, true));
                    macs += s2.sizeFrom(1);
                }
                default -> { } // the blocked tensor is the output
            }
            return new Chain(shape, body.build(), macs, integers().all().generate(in));
        };
    }

    /** Kernel up to {@code k}, stride up to {@code s}, dilation up to {@code d}, padding below the dilated kernel. */
    private static Conv2dSpec spec(org.quicktheories.core.RandomnessSource in, int k, int s, int d, int groups) {
        int kh = integers().between(1, k).generate(in), kw = integers().between(1, k).generate(in);
        int dh = integers().between(1, d).generate(in), dw = integers().between(1, d).generate(in);
        int eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
        return Conv2dSpec.of(kh, kw).stride(integers().between(1, s).generate(in), integers().between(1, s).generate(in))
                .padding(integers().between(0, Math.min(3, eh - 1)).generate(in), integers().between(0, Math.min(3, ew - 1)).generate(in),
                        integers().between(0, Math.min(3, eh - 1)).generate(in), integers().between(0, Math.min(3, ew - 1)).generate(in))
                .dilation(dh, dw).groups(groups);
    }

    private static int fit(org.quicktheories.core.RandomnessSource in, int k, int d, int pads) {
        return Math.max(1, (k - 1) * d + 1 - pads) + integers().between(0, 12).generate(in);
    }

    private static void check(Chain chain, int threads) {
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(chain.net(), chain.input(), chain.seed())) {
            Tensor x = Tensor.randomNormal(arena, chain.seed() + 1, 0f, 1f, chain.input().dims());
            Tensor expected = m.forward(x, Mode.INFERENCE, arena);
            try (CompiledModel plan = Compiler.compile(m, chain.input(), CompileOptions.of(SimdBackends.fastest()).threads(threads))) {
                Tensor actual = plan.run(x, arena);
                Tolerance.forReduction(chain.macs(), 1.0).assertClose(chain.net() + " on " + chain.input()
                        + " threads " + threads + "\n" + String.join("\n", plan.steps()), expected, actual);
            }
        }
    }

    @Test
    void blockedChainsEqualReference() {
        Props.qt(150).forAll(chains(), integers().between(1, 3)).checkAssert(BlockedLayoutTest::check);
    }

    /**
     * conv (c → mid) → 1×1 stride-1 conv (mid → out), maybe adding the first conv's output: the
     * last 32-channel output panel of the 1×1 layer holds 1 to 32 channels, so it runs the pair
     * tiles (8, 16 or 24 channels, even inputs), the one-block or two-block tiles, or their
     * short-tile path (pixel counts that are not whole tiles), with ReLU6 or no clamp.
     */
    static Gen<Chain> pointwiseChains() {
        return in -> {
            int n = integers().between(1, 2).generate(in), c = integers().between(1, 4).generate(in);
            int mid = integers().between(1, 50).generate(in), out = integers().between(1, 72).generate(in);
            boolean residual = booleans().all().generate(in);
            if (residual) out = mid;
            Shape shape = Shape.of(n, c, integers().between(1, 13).generate(in), integers().between(1, 13).generate(in));
            Layer conv = new Conv2d(mid, out, Conv2dSpec.of(1), booleans().all().generate(in));
            Activation after = booleans().all().generate(in) ? Activation.RELU6 : Activation.IDENTITY;
            var body = Sequential.builder().add("conv1", new Conv2d(c, mid, Conv2dSpec.of(3).padding(1), true))
                    .add("relu", Act.relu6());
            if (residual) body.add("block", Residual.identity(Sequential.of(conv), after));
            else body.add("pointwise", conv);
            if (!residual && after == Activation.RELU6) body.add("act", Act.relu6());
            return new Chain(shape, body.build(), 9L * c + mid + 1, integers().all().generate(in));
        };
    }

    @Test
    void pointwiseLastPanelsEqualReference() {
        Props.qt(80).forAll(pointwiseChains(), integers().between(1, 3)).checkAssert(BlockedLayoutTest::check);
    }

    /**
     * 1×1 conv → 3×3 depthwise (stride 1 or 2, each dilation 1 or now and then 2, padding 0–2 on
     * each side, rows up to 44 pixels wide, so that the four-pixel row steps run with every
     * remainder, and planes up to 14 high, so that bands of rows start and end anywhere) →
     * maybe ReLU6 → 1×1 conv.
     */
    static Gen<Chain> depthwiseChains() {
        return in -> {
            int n = integers().between(1, 2).generate(in), c = integers().between(1, 5).generate(in);
            int mid = integers().between(1, 40).generate(in);
            int sh = integers().between(1, 2).generate(in), sw = integers().between(1, 2).generate(in);
            int dh = integers().between(1, 4).generate(in) == 4 ? 2 : 1, dw = integers().between(1, 4).generate(in) == 4 ? 2 : 1;
            int[] pad = new int[4];
            for (int i = 0; i < 4; i++) pad[i] = integers().between(0, 2).generate(in);
            Conv2dSpec spec = Conv2dSpec.of(3).stride(sh, sw).padding(pad[0], pad[1], pad[2], pad[3]).dilation(dh, dw).groups(mid);
            int h = Math.max(1, 2 * dh + 1 - pad[0] - pad[2]) + integers().between(0, 9).generate(in);
            int w = Math.max(1, 2 * dw + 1 - pad[1] - pad[3]) + integers().between(0, 39).generate(in);
            var b = Sequential.builder().add("expand", new Conv2d(c, mid, Conv2dSpec.of(1), true));
            if (booleans().all().generate(in)) b.add("r0", Act.relu6());
            b.add("dw", new Conv2d(mid, mid, spec, true));
            if (booleans().all().generate(in)) b.add("r1", Act.relu6());
            b.add("project", new Conv2d(mid, integers().between(1, 20).generate(in), Conv2dSpec.of(1), true));
            return new Chain(Shape.of(n, c, h, w), b.build(), c + 9L + mid, integers().all().generate(in));
        };
    }

    @Test
    void depthwiseRowsEqualReference() {
        Props.qt(120).forAll(depthwiseChains(), integers().between(1, 3)).checkAssert(BlockedLayoutTest::check);
    }

    @Test
    void resNetShapedChainTakesEveryTile() {
        // Each layer is shaped for one of BlockedConvKernel's tiles (30- and 15-pixel rows: whole
        // 7-pixel tiles, which finish their own outputs, and a short one through the heap tile):
        // NCHW stem at stride 2 (FusedConvTiles.step8), 16 output channels (tile7x16), stride 2
        // on a blocked input (step128), stride 1 with a residual (step64), and 1x1 stride-1 to 16
        // and to 40 channels (FusedConvTiles.flat16, flat, a 16-wide last panel).
        Layer net = Sequential.builder()
                .add("stem", new Conv2d(3, 32, Conv2dSpec.of(7).stride(2).padding(3), true)).add("r0", Act.relu())
                .add("c16", new Conv2d(32, 16, Conv2dSpec.of(3).padding(1), true))
                .add("down", new Conv2d(16, 32, Conv2dSpec.of(3).stride(2).padding(1), true))
                .add("block", Residual.identity(Sequential.of(new Conv2d(32, 32, Conv2dSpec.of(3).padding(1), true)),
                        Activation.RELU))
                .add("p16", new Conv2d(32, 16, Conv2dSpec.of(1), true))
                .add("p40", new Conv2d(16, 40, Conv2dSpec.of(1), true))
                .add("gap", GlobalPool.max()).build();
        long macs = 3 * 49 + 32 * 9 + 16 * 9 + 32 * 9 + 32 + 16;
        for (int threads = 1; threads <= 2; threads++) check(new Chain(Shape.of(2, 3, 60, 60), net, macs, 11), threads);
    }

    @Test
    void layersWithWeightsBeyondL2PadTheirInputPerWorker() {
        // Packed weights over 512 KB: the rows of a channel panel are adjacent, and with several
        // threads each worker pads the whole input into its own planes before its first task, once
        // per image (batch 2). Then a max pool whose thread shares are bands of rows.
        Layer net = Sequential.builder()
                .add("stem", new Conv2d(3, 256, Conv2dSpec.of(3).padding(1), true)).add("r0", Act.relu())
                .add("wide", new Conv2d(256, 160, Conv2dSpec.of(3).padding(1), true)).add("r1", Act.relu())
                .add("down", new Conv2d(160, 208, Conv2dSpec.of(3).stride(2).padding(1), true))
                .add("pool", Pool2d.max(3, 2, 1))
                .add("gap", GlobalPool.avg()).build();
        long macs = 3 * 9 + 256 * 9 + 160 * 9 + 9;
        for (int threads = 1; threads <= 3; threads++) check(new Chain(Shape.of(2, 3, 17, 17), net, macs, 17), threads);
    }

    @Test
    void invertedResidualProjectionAddsTheBlockInput() {
        // A MobileNetV2 block at stride 1: the 1x1 projection has no activation and adds the
        // block's input (the heap tiles and the epilogue with a residual). 225 pixels: four flat
        // rows of whole tiles and a short one; 40, 24 and 8 channels end with a panel of 8, 24
        // and 8 channels (the pair tiles with a residual).
        for (int channels : new int[] {32, 40, 24, 8}) {
            Layer block = Sequential.builder()
                    .add("expand", new Conv2d(channels, 96, Conv2dSpec.of(1), false)).add("r1", Act.relu6())
                    .add("dw", new Conv2d(96, 96, Conv2dSpec.of(3).padding(1).groups(96), false)).add("r2", Act.relu6())
                    .add("project", new Conv2d(96, channels, Conv2dSpec.of(1), true)).build();
            Layer net = Sequential.builder()
                    .add("stem", new Conv2d(3, channels, Conv2dSpec.of(3).padding(1), true)).add("r0", Act.relu6())
                    .add("block", Residual.identity(block, Activation.IDENTITY)).build();
            for (int threads = 1; threads <= 2; threads++) {
                check(new Chain(Shape.of(2, 3, 15, 15), net, 3 * 9 + channels + 9 + 96, 13), threads);
            }
        }
    }

    @Test
    void convolutionPairsReadTheirInputInPlaceThroughAHalo() {
        // A padded convolution whose input comes from a convolution alone gets it with a zero
        // border (a halo) as wide as its padding, written by the producer, and reads it in place.
        // 40 and 24 channels: partial blocks and a 16-wide last panel; odd sizes, stride 2, batch
        // 2. The plan runs twice: a later value sharing a halo's memory leaves it dirty unless
        // the producer rewrites the zeros every run.
        Layer net = Sequential.builder()
                .add("stem", new Conv2d(3, 40, Conv2dSpec.of(3).padding(1), true)).add("r0", Act.relu())
                .add("a", new Conv2d(40, 24, Conv2dSpec.of(3).padding(1), true)).add("r1", Act.relu6())
                .add("b", new Conv2d(24, 48, Conv2dSpec.of(5).stride(2).padding(2), true))
                .add("c", new Conv2d(48, 20, Conv2dSpec.of(1), true))
                .add("gap", GlobalPool.avg()).build();
        Shape in = Shape.of(2, 3, 23, 19);
        long macs = 3 * 9 + 40 * 9 + 24 * 25 + 48 + 1;
        for (int threads = 1; threads <= 3; threads++) {
            try (Arena arena = Arena.ofConfined(); Model m = Model.init(net, in, 5);
                 CompiledModel plan = Compiler.compile(m, in, CompileOptions.of(SimdBackends.fastest()).threads(threads))) {
                if (SimdBackends.fastest().channelBlock() > 0) {
                    assertEquals(1, plan.steps().stream().filter(s -> s.contains("[halo 1]")).count(), String.join("\n", plan.steps()));
                    assertEquals(1, plan.steps().stream().filter(s -> s.contains("[halo 2]")).count(), String.join("\n", plan.steps()));
                }
                for (int run = 0; run < 2; run++) {
                    Tensor x = Tensor.randomNormal(arena, 40 + run, 0f, 1f, in.dims());
                    Tolerance.forReduction(macs, 1.0).assertClose("run " + run + ", threads " + threads + "\n"
                            + String.join("\n", plan.steps()), m.forward(x, Mode.INFERENCE, arena), plan.run(x, arena));
                }
            }
        }
    }

    @Test
    void resNetBlocksShareHalosThroughTheirResiduals() {
        // A max pool and every convolution whose output only padded convolutions and a global
        // average read (as input or residual) write halos: a block's output has its residual's
        // halo, a 1x1 stride-2 downsample reads its haloed input in place from inside the border,
        // and the shortcut it writes gets the halo of the block output it is added to. A global
        // maximum would see the border's zeros: its input's residual group (the last block's
        // output, its residual and the shortcut) then has no halo.
        for (boolean average : new boolean[] {true, false}) {
            Layer net = Sequential.builder()
                    .add("stem", new Conv2d(3, 24, Conv2dSpec.of(3).padding(1), true)).add("r0", Act.relu())
                    .add("pool", Pool2d.max(3, 2, 1))
                    .add("b1", Residual.identity(Sequential.builder()
                            .add("conv1", new Conv2d(24, 24, Conv2dSpec.of(3).padding(1), true)).add("r", Act.relu())
                            .add("conv2", new Conv2d(24, 24, Conv2dSpec.of(3).padding(1), true)).build(), Activation.RELU))
                    .add("b2", Residual.projected(Sequential.builder()
                            .add("conv1", new Conv2d(24, 40, Conv2dSpec.of(3).stride(2).padding(1), true)).add("r", Act.relu())
                            .add("conv2", new Conv2d(40, 40, Conv2dSpec.of(3).padding(1), true)).build(),
                            new Conv2d(24, 40, Conv2dSpec.of(1).stride(2), true), Activation.RELU))
                    .add("b3", Residual.identity(Sequential.builder()
                            .add("conv1", new Conv2d(40, 40, Conv2dSpec.of(3).padding(1), true)).add("r", Act.relu())
                            .add("conv2", new Conv2d(40, 40, Conv2dSpec.of(3).padding(1), true)).build(), Activation.RELU))
                    .add("gap", average ? GlobalPool.avg() : GlobalPool.max()).build();
            Shape in = Shape.of(2, 3, 21, 17);
            long macs = 3 * 9 + 24 * 9 * 3 + 40 * 9 * 3 + 24 + 1;
            for (int threads = 1; threads <= 3; threads++) {
                try (Arena arena = Arena.ofConfined(); Model m = Model.init(net, in, 9);
                     CompiledModel plan = Compiler.compile(m, in, CompileOptions.of(SimdBackends.fastest()).threads(threads))) {
                    if (SimdBackends.fastest().channelBlock() > 0) {
                        assertEquals(average ? 8 : 5, plan.steps().stream().filter(s -> s.contains("[halo 1]")).count(),
                                String.join("\n", plan.steps()));
                    }
                    for (int run = 0; run < 2; run++) {
                        Tensor x = Tensor.randomNormal(arena, 50 + run, 0f, 1f, in.dims());
                        Tolerance.forReduction(macs, 1.0).assertClose((average ? "average" : "maximum") + ", run " + run
                                + ", threads " + threads + "\n" + String.join("\n", plan.steps()),
                                m.forward(x, Mode.INFERENCE, arena), plan.run(x, arena));
                    }
                }
            }
        }
    }

    @Test
    void mobileNetShapedChainRunsBlockedEndToEnd() {
        // Expansion, depthwise 3×3 s2, projection with a 24-channel (partial block) output, global
        // pooling: on 16-lane machines no reorder is needed anywhere.
        Layer net = Sequential.builder()
                .add("stem", new Conv2d(3, 32, Conv2dSpec.of(3).stride(2).padding(1), false)).add("r0", Act.relu6())
                .add("expand", new Conv2d(32, 96, Conv2dSpec.of(1), false)).add("r1", Act.relu6())
                .add("dw", new Conv2d(96, 96, Conv2dSpec.of(3).stride(2).padding(1).groups(96), false)).add("r2", Act.relu6())
                .add("project", new Conv2d(96, 24, Conv2dSpec.of(1), false))
                .add("gap", GlobalPool.avg()).build();
        Shape in = Shape.of(1, 3, 29, 31);
        check(new Chain(in, net, 3 * 9 + 32 + 9 + 96, 7), 2);
        try (Model m = Model.init(net, in, 7);
             CompiledModel plan = Compiler.compile(m, in, CompileOptions.of(SimdBackends.fastest()))) {
            boolean blockedHere = SimdBackends.fastest().channelBlock() > 0;
            long reorders = plan.steps().stream().filter(s -> s.startsWith("REORDER")).count();
            assertEquals(0, reorders, String.join("\n", plan.steps()));
            long blocked = plan.steps().stream().filter(s -> s.endsWith("[blocked]")).count();
            assertEquals(blockedHere ? 4 : 0, blocked, String.join("\n", plan.steps())); // the four convolutions
        }
    }
}
