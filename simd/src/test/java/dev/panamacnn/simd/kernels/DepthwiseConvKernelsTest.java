package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Fixtures.coin;
import static dev.panamacnn.simd.kernels.Fixtures.draw;
import static dev.panamacnn.simd.kernels.Fixtures.seed;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.reference.ConvRef;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.kernels.Fixtures.Placed;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Depthwise convolution equals {@link ConvRef#conv2d} with groups = channels, then the clamp. */
class DepthwiseConvKernelsTest {
    private static final int L = Vec.L;

    /** Bring the kernels to C2 first, so the properties also check the intrinsified code. */
    @BeforeAll
    static void warmUp() {
        Scenarios.warm(Scenarios.depthwise(), 5);
    }
    private static final float INF = Float.POSITIVE_INFINITY;
    /** No clamp, ReLU, ReLU6, and an arbitrary clip that cuts both sides. */
    private static final float[][] CLAMPS = {{-INF, INF}, {0f, INF}, {0f, 6f}, {-0.4f, 0.5f}};

    record Case(int n, int c, int h, int w, Conv2dSpec spec, boolean bias, int clamp, long seed,
                long xOff, long yOff, int cut1, int cut2) {
        int planes() {
            return n * c;
        }
    }

    /** Half 3×3 dilation 1 (the fast paths: strides 1, 2), half anything: k 1–5, strides 1–3, dilations 1–3. */
    static final Gen<Case> CASES = rs -> {
        int c = draw(rs, 1, 4), n = draw(rs, 1, 2);
        Conv2dSpec spec;
        if (coin(rs)) {
            spec = Conv2dSpec.of(3).stride(draw(rs, 1, 2), draw(rs, 1, 2))
                    .padding(draw(rs, 0, 1), draw(rs, 0, 1), draw(rs, 0, 1), draw(rs, 0, 1));
        } else {
            spec = Conv2dSpec.of(draw(rs, 1, 5), draw(rs, 1, 5)).stride(draw(rs, 1, 3), draw(rs, 1, 3))
                    .dilation(draw(rs, 1, 3), draw(rs, 1, 3))
                    .padding(draw(rs, 0, 3), draw(rs, 0, 3), draw(rs, 0, 3), draw(rs, 0, 3));
        }
        spec = spec.groups(c);
        int extentH = (spec.kernelH() - 1) * spec.dilationH() + 1;
        int extentW = (spec.kernelW() - 1) * spec.dilationW() + 1;
        int h = draw(rs, Math.max(1, extentH - spec.padTop() - spec.padBottom()), extentH + 6);
        int w = draw(rs, Math.max(1, extentW - spec.padLeft() - spec.padRight()), 4 * L + 7);
        int a = draw(rs, 0, n * c), b = draw(rs, 0, n * c);
        return new Case(n, c, h, w, spec, coin(rs), draw(rs, 0, CLAMPS.length - 1), seed(rs),
                draw(rs, 0, L + 1), draw(rs, 0, L + 1), Math.min(a, b), Math.max(a, b));
    };

    @Test
    void equalsReferenceConvolutionThenClamp() {
        qt().withExamples(400).forAll(CASES).checkAssert(DepthwiseConvKernelsTest::check);
    }

    private static void check(Case k) {
        Conv2dSpec s = k.spec;
        int taps = s.kernelH() * s.kernelW();
        float lo = CLAMPS[k.clamp][0], hi = CLAMPS[k.clamp][1];
        try (Arena arena = Arena.ofConfined()) {
            float[] xd = Fixtures.uniform(k.seed, k.planes() * k.h * k.w, -2f, 2f);
            float[] wd = Fixtures.uniform(k.seed + 1, k.c * taps, -1f, 1f);
            float[] bd = Fixtures.uniform(k.seed + 2, k.c, -0.5f, 0.5f);
            Tensor x = Tensor.of(arena, xd, k.n, k.c, k.h, k.w);
            Tensor wt = Tensor.of(arena, wd, k.c, 1, s.kernelH(), s.kernelW());
            Tensor bt = k.bias ? Tensor.of(arena, bd, k.c) : null;
            float[] expected = ConvRef.conv2d(x, wt, bt, s, arena).toArray();
            Activation clip = Activation.clip(lo, hi);
            for (int i = 0; i < expected.length; i++) expected[i] = clip.apply(expected[i]);

            int outPlane = s.outH(k.h) * s.outW(k.w);
            Placed in = Placed.of(arena, xd, k.xOff), weights = Placed.of(arena, wd, 2);
            Placed bias = Placed.of(arena, bd, 1);
            Placed out = Placed.empty(arena, k.planes() * outPlane, k.yOff);
            int[] bounds = {k.cut2, k.planes(), k.cut1, k.cut2, 0, k.cut1};
            for (int r = 0; r < bounds.length; r += 2) {
                DepthwiseConvKernels.depthwiseConv2d(in.segment(), in.offset(), weights.segment(),
                        weights.offset(), k.bias ? bias.segment() : null, bias.offset(), out.segment(),
                        out.offset(), k.c, k.h, k.w, s, lo, hi, bounds[r], bounds[r + 1]);
            }
            // taps + 1 terms (the bias) of size about |x|·|w|; float FMAs vs the double reference.
            Tolerance.forReduction(taps + 1, Fixtures.rms(xd) * Fixtures.rms(wd) + (k.bias ? 0.5 : 0))
                    .assertClose("depthwiseConv2d", expected, out.read());
            out.assertGuardsIntact("output");
            if (DepthwisePadded.applies(s)) checkPadded(k, arena, xd, wd, bd, expected, Tolerance.forReduction(taps + 1,
                    Fixtures.rms(xd) * Fixtures.rms(wd) + (k.bias ? 0.5 : 0)));
        }
    }

    /** The phase-plane kernel (strides 1 and 2) on the same case, planes split the same way. */
    private static void checkPadded(Case k, Arena arena, float[] xd, float[] wd, float[] bd, float[] expected,
                                    Tolerance tolerance) {
        float lo = CLAMPS[k.clamp][0], hi = CLAMPS[k.clamp][1];
        var g = new DepthwisePadded.Geometry(k.h, k.w, k.spec);
        Placed in = Placed.of(arena, xd, k.xOff);
        Placed out = Placed.empty(arena, expected.length, k.yOff);
        var weights = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, wd);
        var bias = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, k.bias ? bd : new float[k.c]);
        var scratch = arena.allocate(g.scratchBytes() + 64, 64);
        int[] bounds = {k.cut2, k.planes(), k.cut1, k.cut2, 0, k.cut1};
        for (int r = 0; r < bounds.length; r += 2) {
            scratch.fill((byte) 0x7f); // stale contents from another layer must not leak into the halo
            DepthwisePadded.run(in.segment(), in.offset(), weights, bias, out.segment(), out.offset(), k.c, g, lo, hi,
                    bounds[r], bounds[r + 1], scratch, 64);
        }
        tolerance.assertClose("DepthwisePadded", expected, out.read());
        out.assertGuardsIntact("padded output");
    }

    /** 3×3 layers on small planes with whole vectors of channels: the channel-block kernel. */
    static final Gen<Case> BLOCK_CASES = rs -> {
        int c = L * draw(rs, 1, 3), n = draw(rs, 1, 2);
        Conv2dSpec spec = Conv2dSpec.of(3).stride(draw(rs, 1, 2), draw(rs, 1, 2))
                .padding(draw(rs, 0, 2), draw(rs, 0, 2), draw(rs, 0, 2), draw(rs, 0, 2)).groups(c);
        int h = draw(rs, Math.max(1, 3 - spec.padTop() - spec.padBottom()), 9);
        int w = draw(rs, Math.max(1, 3 - spec.padLeft() - spec.padRight()), 9);
        int blocks = n * c / L, a = draw(rs, 0, blocks), b = draw(rs, 0, blocks);
        return new Case(n, c, h, w, spec, coin(rs), draw(rs, 0, CLAMPS.length - 1), seed(rs),
                draw(rs, 0, L + 1), draw(rs, 0, L + 1), Math.min(a, b), Math.max(a, b));
    };

    @Test
    void channelBlocksEqualReferenceConvolutionThenClamp() {
        qt().withExamples(150).forAll(BLOCK_CASES)
                .assuming(k -> DepthwiseChannelBlocks.applies(k.spec, k.c, k.h, k.w))
                .checkAssert(DepthwiseConvKernelsTest::checkBlocks);
    }

    private static void checkBlocks(Case k) {
        Conv2dSpec s = k.spec;
        float lo = CLAMPS[k.clamp][0], hi = CLAMPS[k.clamp][1];
        try (Arena arena = Arena.ofConfined()) {
            float[] xd = Fixtures.uniform(k.seed, k.planes() * k.h * k.w, -2f, 2f);
            float[] wd = Fixtures.uniform(k.seed + 1, k.c * 9, -1f, 1f);
            float[] bd = k.bias ? Fixtures.uniform(k.seed + 2, k.c, -0.5f, 0.5f) : new float[k.c];
            Tensor x = Tensor.of(arena, xd, k.n, k.c, k.h, k.w);
            Tensor wt = Tensor.of(arena, wd, k.c, 1, 3, 3);
            float[] expected = ConvRef.conv2d(x, wt, Tensor.of(arena, bd, k.c), s, arena).toArray();
            Activation clip = Activation.clip(lo, hi);
            for (int i = 0; i < expected.length; i++) expected[i] = clip.apply(expected[i]);

            float[] blocked = DepthwiseChannelBlocks.packWeights(wd, k.c);
            var g = new DepthwiseChannelBlocks.Geometry(k.h, k.w, s);
            int[] floats = g.scratchFloats();
            var scratch = new DepthwiseChannelBlocks.Scratch(new float[floats[0]], new float[floats[1] + 5],
                    new float[floats[2]]);
            Placed in = Placed.of(arena, xd, k.xOff);
            Placed out = Placed.empty(arena, expected.length, k.yOff);
            int[] bounds = {k.cut2, k.n * k.c / L, k.cut1, k.cut2, 0, k.cut1};
            for (int r = 0; r < bounds.length; r += 2) {
                java.util.Arrays.fill(scratch.padded(), Float.NaN); // another layer's leftovers must not leak into the halo
                DepthwiseChannelBlocks.run(in.segment(), in.offset(), blocked, bd, out.segment(), out.offset(), k.c, g,
                        lo, hi, bounds[r], bounds[r + 1], scratch);
            }
            Tolerance.forReduction(10, Fixtures.rms(xd) * Fixtures.rms(wd) + (k.bias ? 0.5 : 0))
                    .assertClose("DepthwiseChannelBlocks", expected, out.read());
            out.assertGuardsIntact("channel-block output");
        }
    }

    @Test
    void paddedKernelRejectsShortSegments() {
        try (Arena arena = Arena.ofConfined()) {
            Conv2dSpec dw = Conv2dSpec.of(3).padding(1).groups(2);
            var g = new DepthwisePadded.Geometry(8, 8, dw);
            var seg = arena.allocate(4096);
            var small = arena.allocate(64);
            assertThrows(IndexOutOfBoundsException.class, () -> DepthwisePadded.run(seg, 0, seg, seg, seg, 0, 2, g,
                    0f, 6f, 0, 2, small, 0)); // scratch too small
            assertThrows(IndexOutOfBoundsException.class, () -> DepthwisePadded.run(small, 0, seg, seg, seg, 0, 2, g,
                    0f, 6f, 0, 2, arena.allocate(g.scratchBytes()), 0)); // input too small
            assertThrows(IllegalArgumentException.class, () -> new DepthwisePadded.Geometry(8, 8, dw.stride(3)));
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            var seg = arena.allocate(4096);
            Conv2dSpec dw = Conv2dSpec.of(3).padding(1).groups(2);
            assertThrows(IllegalArgumentException.class, () -> DepthwiseConvKernels.depthwiseConv2d(
                    seg, 0, seg, 0, null, 0, seg, 0, 3, 4, 4, dw, 0f, 6f, 0, 3)); // groups != channels
            assertThrows(IllegalArgumentException.class, () -> DepthwiseConvKernels.depthwiseConv2d(
                    seg, 0, seg, 0, null, 0, seg, 0, 2, 4, 4, dw, 6f, 0f, 0, 2)); // lo > hi
            assertThrows(IllegalArgumentException.class, () -> DepthwiseConvKernels.depthwiseConv2d(
                    seg, 0, seg, 0, seg, 1023, seg, 0, 2, 4, 4, dw, 0f, 6f, 0, 2)); // bias past the end
            assertThrows(IllegalArgumentException.class, () -> DepthwiseConvKernels.depthwiseConv2d(
                    seg, 0, seg, 0, null, 0, seg, 0, 2, 40, 40, dw, 0f, 6f, 0, 2)); // input too small
        }
    }
}
