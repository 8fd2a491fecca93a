package dev.panamacnn.tests.train;

import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.core.train.TrainingKernels;
import dev.panamacnn.simd.SimdTraining;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * The fast training kernels (simd: GEMM-based and direct convolutions, dense gradients, vector ReLU) equal
 * the reference kernels over random shapes and 1–3 threads, forward and backward, including the
 * accumulation of parameter gradients into non-zero tensors.
 */
class FastTrainingKernelsTest {

    static void compareConv(Conv2d conv, Shape in, long seed, int threads) {
        Shape out = conv.outputShape(in);
        try (Arena arena = Arena.ofShared(); TrainingKernels fast = SimdTraining.create(threads)) {
            TrainingKernels ref = TrainingKernels.reference();
            Tensor x = Tensor.randomNormal(arena, seed, 0f, 1f, in.dims());
            Tensor w = Tensor.randomNormal(arena, seed + 1, 0f, 1f, conv.weightShape().dims());
            Tensor b = conv.bias() ? Tensor.randomNormal(arena, seed + 2, 0f, 1f, conv.outChannels()) : null;
            Tensor dy = Tensor.randomNormal(arena, seed + 3, 0f, 1f, out.dims());
            Tensor[] r = run(ref, conv, x, w, b, dy, arena, seed), f = run(fast, conv, x, w, b, dy, arena, seed);
            String what = conv.describe() + " on " + in + " threads " + threads;
            Conv2dSpec s = conv.spec();
            Tolerance.forReduction(s.macsPerOutput(in.dim(1)), 1).assertClose(what + " forward", r[0], f[0]);
            long perWeight = (long) in.dim(0) * out.dim(2) * out.dim(3);
            Tolerance.forReduction(perWeight, 1).assertClose(what + " dw", r[1], f[1]);
            long perInput = (long) conv.outChannels() / s.groups() * s.kernelH() * s.kernelW();
            Tolerance.forReduction(perInput, 1).assertClose(what + " dx", r[2], f[2]);
            if (b != null) Tolerance.forReduction(perWeight, 1).assertClose(what + " db", r[3], f[3]);
            // Without dx (a first layer) the fast kernels may take another path (PlaneConv).
            Tolerance.forReduction(perWeight, 1).assertClose(what + " dw without dx", r[4], f[4]);
            if (b != null) Tolerance.forReduction(perWeight, 1).assertClose(what + " db without dx", r[5], f[5]);
        }
    }

    private static Tensor[] run(TrainingKernels k, Conv2d conv, Tensor x, Tensor w, Tensor b, Tensor dy, Arena arena,
                                long seed) {
        Tensor y = Tensor.full(arena, Float.NaN, conv.outputShape(x.shape()).dims()); // must be overwritten
        k.conv2d(x, w, b, conv.spec(), y);
        Tensor dw = Tensor.randomNormal(arena, seed + 4, 0f, 1f, w.shape().dims()); // accumulated into
        Tensor db = b == null ? null : Tensor.randomNormal(arena, seed + 5, 0f, 1f, b.shape().dims());
        Tensor dx = Tensor.full(arena, Float.NaN, x.shape().dims());
        k.conv2dBackward(x, w, conv.spec(), dy, dx, dw, db);
        Tensor dwOnly = Tensor.randomNormal(arena, seed + 6, 0f, 1f, w.shape().dims());
        Tensor dbOnly = b == null ? null : Tensor.randomNormal(arena, seed + 7, 0f, 1f, b.shape().dims());
        k.conv2dBackward(x, w, conv.spec(), dy, null, dwOnly, dbOnly);
        return new Tensor[] {y, dw, dx, db, dwOnly, dbOnly};
    }

    @Test
    void convolutionEqualsReference() {
        GradientCheckTest.qt(80).forAll(GradientCheckTest.convs(), integers().between(1, 3))
                .checkAssert((c, threads) -> {
                    Shape in = c.in().withDim(0, 1 + (int) Math.floorMod(c.seed(), 5L));
                    compareConv((Conv2d) c.layer(), in, c.seed(), threads);
                });
    }

    /**
     * Stride-1 ungrouped convolutions with few taps per output (≤ 64: C·kh·kw), which the simd
     * kernels run as direct convolutions over padded planes: odd widths, padding wider than the
     * kernel, dilation, channel counts that are not multiples of the 3-row tile.
     */
    @Test
    void planeConvolutionsEqualReference() {
        GradientCheckTest.qt(60).forAll(in -> {
            int c = GradientCheckTest.between(1, 4, in), kh = GradientCheckTest.between(1, 5, in);
            int kw = GradientCheckTest.between(1, 5, in);
            int h = GradientCheckTest.between(kh, 30, in), w = GradientCheckTest.between(kw, 30, in);
            int dilH = h >= 2 * kh - 1 ? GradientCheckTest.between(1, 2, in) : 1;
            int dilW = w >= 2 * kw - 1 ? GradientCheckTest.between(1, 2, in) : 1;
            Conv2dSpec spec = Conv2dSpec.of(kh, kw).padding(GradientCheckTest.between(0, 3, in),
                    GradientCheckTest.between(0, 3, in), GradientCheckTest.between(0, 3, in),
                    GradientCheckTest.between(0, 3, in)).dilation(dilH, dilW);
            Conv2d conv = new Conv2d(c, GradientCheckTest.between(1, 10, in), spec,
                    GradientCheckTest.between(0, 1, in) == 1);
            return new Object[] {conv, Shape.of(GradientCheckTest.between(1, 5, in), c, h, w),
                    GradientCheckTest.between(1, 1000, in), GradientCheckTest.between(1, 3, in)};
        }).checkAssert(a -> compareConv((Conv2d) a[0], (Shape) a[1], (Integer) a[2], (Integer) a[3]));
    }

    /**
     * Ungrouped convolutions with 16, 32, 48 or 64 output channels and more than 64 taps per
     * output, which the simd kernels run with vectors along output channels (ChannelConv):
     * strides, padding, dilation, pixel counts that are not multiples of the 8-pixel tile.
     */
    @Test
    void channelConvolutionsEqualReference() {
        GradientCheckTest.qt(40).forAll(in -> {
            int kh = GradientCheckTest.between(2, 5, in), kw = GradientCheckTest.between(2, 5, in);
            int c = GradientCheckTest.between(64 / (kh * kw) + 1, 64 / (kh * kw) + 4, in); // > 64 taps
            int dilH = GradientCheckTest.between(1, 2, in), dilW = GradientCheckTest.between(1, 2, in);
            int h = GradientCheckTest.between(dilH * (kh - 1) + 1, 16, in);
            int w = GradientCheckTest.between(dilW * (kw - 1) + 1, 16, in);
            Conv2dSpec spec = Conv2dSpec.of(kh, kw)
                    .stride(GradientCheckTest.between(1, 3, in), GradientCheckTest.between(1, 3, in))
                    .padding(GradientCheckTest.between(0, 2, in), GradientCheckTest.between(0, 2, in),
                            GradientCheckTest.between(0, 2, in), GradientCheckTest.between(0, 2, in))
                    .dilation(dilH, dilW);
            Conv2d conv = new Conv2d(c, 16 * GradientCheckTest.between(1, 4, in), spec,
                    GradientCheckTest.between(0, 1, in) == 1);
            return new Object[] {conv, Shape.of(GradientCheckTest.between(1, 5, in), c, h, w),
                    GradientCheckTest.between(1, 1000, in), GradientCheckTest.between(1, 3, in)};
        }).checkAssert(a -> compareConv((Conv2d) a[0], (Shape) a[1], (Integer) a[2], (Integer) a[3]));
    }

    @Test
    void wideConvolutionsEqualReference() {
        // LeNet's two convolutions, a strided 3×3, a 1×1 projection and a pointwise conv: many NR panels, K past KC.
        compareConv(Conv2d.of(1, 6, 5).padding(2), Shape.of(3, 1, 28, 28), 1, 2);
        compareConv(Conv2d.of(6, 16, 5), Shape.of(5, 6, 14, 14), 2, 2);
        compareConv(Conv2d.of(8, 12, 3).stride(2).padding(1).noBias(), Shape.of(2, 8, 17, 19), 3, 3);
        compareConv(Conv2d.of(8, 12, 1).stride(2).noBias(), Shape.of(2, 8, 9, 9), 4, 1);
        compareConv(Conv2d.of(96, 20, 1), Shape.of(2, 96, 6, 7), 5, 2);
        compareConv(Conv2d.of(32, 8, 5).padding(2).groups(2), Shape.of(2, 32, 12, 12), 6, 2);
        // Several blocks of images per thread (the weight gradient runs over a block's panels at once), the last short.
        compareConv(Conv2d.of(6, 16, 5), Shape.of(19, 6, 14, 14), 7, 1);
        compareConv(Conv2d.of(4, 6, 3).padding(1), Shape.of(23, 4, 7, 9), 8, 3);
        compareConv(Conv2d.of(4, 6, 3).groups(2), Shape.of(13, 4, 6, 5), 9, 2);
    }

    @Test
    void backwardWithoutKeptColumnsEqualsReference() {
        // No forward pass first: every image's columns are packed again, in blocks of several images.
        Conv2d conv = Conv2d.of(5, 7, 3).padding(1);
        Shape in = Shape.of(21, 5, 6, 7), out = conv.outputShape(in);
        try (Arena arena = Arena.ofShared(); TrainingKernels fast = SimdTraining.create(2)) {
            Tensor x = Tensor.randomNormal(arena, 1, 0f, 1f, in.dims());
            Tensor w = Tensor.randomNormal(arena, 2, 0f, 1f, conv.weightShape().dims());
            Tensor dy = Tensor.randomNormal(arena, 3, 0f, 1f, out.dims());
            Tensor[][] g = new Tensor[2][];
            TrainingKernels[] ks = {TrainingKernels.reference(), fast};
            for (int i = 0; i < 2; i++) {
                g[i] = new Tensor[] {Tensor.zeros(arena, conv.weightShape().dims()), Tensor.zeros(arena, 7),
                        Tensor.allocate(arena, in)};
                ks[i].conv2dBackward(x, w, conv.spec(), dy, g[i][2], g[i][0], g[i][1]);
            }
            long perWeight = (long) in.dim(0) * out.dim(2) * out.dim(3);
            Tolerance.forReduction(perWeight, 1).assertClose("dw", g[0][0], g[1][0]);
            Tolerance.forReduction(perWeight, 1).assertClose("db", g[0][1], g[1][1]);
            Tolerance.forReduction(7L * 9, 1).assertClose("dx", g[0][2], g[1][2]);
        }
    }

    @Test
    void batchNormTrainingForwardAndBackwardEqualReference() {
        // [N, C] (BatchNorm1d) and [N, C, H, W] with planes below, at and above one vector, 1–3 threads.
        GradientCheckTest.qt(80).forAll(integers().between(2, 5), integers().between(1, 7), integers().between(0, 19),
                        integers().between(1, 3))
                .checkAssert((n, c, side, threads) -> {
                    Shape in = side == 0 ? Shape.of(n, c) : Shape.of(n, c, side, 1 + side % 5);
                    long seed = 31L * n + 7L * c + side;
                    try (Arena arena = Arena.ofShared(); TrainingKernels fast = SimdTraining.create(threads)) {
                        TrainingKernels ref = TrainingKernels.reference();
                        Tensor x = Tensor.randomNormal(arena, seed, 1f, 2f, in.dims());
                        Tensor dy = Tensor.randomNormal(arena, seed + 1, 0f, 1f, in.dims());
                        Tensor gamma = Tensor.randomNormal(arena, seed + 2, 1f, 0.5f, c);
                        Tensor beta = Tensor.randomNormal(arena, seed + 3, 0f, 0.5f, c);
                        Tensor[] r = batchNorm(ref, x, dy, gamma, beta, arena), f = batchNorm(fast, x, dy, gamma, beta, arena);
                        long m = in.size() / c;
                        String[] names = {"y", "running mean", "running var", "mean", "invStd", "dx", "dgamma", "dbeta"};
                        for (int i = 0; i < names.length; i++) {
                            Tolerance.forReduction(m, 2).assertClose("batch norm " + names[i] + " on " + in + ", "
                                    + threads + " thread(s)", r[i], f[i]);
                        }
                    }
                });
    }

    private static Tensor[] batchNorm(TrainingKernels k, Tensor x, Tensor dy, Tensor gamma, Tensor beta, Arena arena) {
        int c = x.dim(1);
        Tensor runMean = Tensor.full(arena, 0.5f, c), runVar = Tensor.full(arena, 2f, c);
        Tensor y = Tensor.allocate(arena, x.shape()), mean = Tensor.allocate(arena, Shape.of(c));
        Tensor invStd = Tensor.allocate(arena, Shape.of(c));
        k.batchNormTraining(x, gamma, beta, runMean, runVar, 1e-5f, 0.1f, y, mean, invStd);
        Tensor dx = Tensor.allocate(arena, x.shape());
        Tensor dgamma = Tensor.full(arena, 0.25f, c), dbeta = Tensor.full(arena, -0.5f, c); // accumulated into
        k.batchNormBackward(x, gamma, mean, invStd, dy, dx, dgamma, dbeta);
        return new Tensor[] {y, runMean, runVar, mean, invStd, dx, dgamma, dbeta};
    }

    @Test
    void backwardNeverUsesColumnsPackedFromAnotherInput() {
        // The forward pass keeps its packed columns for the backward pass of the same input. A
        // backward on a different input — here one in a new arena that may reuse the freed
        // address, and one changed nowhere but in a second tensor of the same shape — must repack.
        Conv2d conv = Conv2d.of(3, 4, 3);
        Shape in = Shape.of(2, 3, 9, 9), out = conv.outputShape(in);
        try (TrainingKernels fast = SimdTraining.create(1)) {
            TrainingKernels ref = TrainingKernels.reference();
            try (Arena first = Arena.ofShared()) {
                Tensor x = Tensor.randomNormal(first, 1, 0f, 1f, in.dims());
                Tensor w = Tensor.randomNormal(first, 2, 0f, 1f, conv.weightShape().dims());
                fast.conv2d(x, w, null, conv.spec(), Tensor.allocate(first, out));
            }
            try (Arena second = Arena.ofShared()) {
                Tensor x = Tensor.randomNormal(second, 3, 0f, 1f, in.dims());
                Tensor other = Tensor.randomNormal(second, 4, 0f, 1f, in.dims());
                Tensor w = Tensor.randomNormal(second, 2, 0f, 1f, conv.weightShape().dims());
                Tensor dy = Tensor.randomNormal(second, 5, 0f, 1f, out.dims());
                fast.conv2d(other, w, null, conv.spec(), Tensor.allocate(second, out));
                Tensor dwFast = Tensor.zeros(second, conv.weightShape().dims()), dwRef = Tensor.zeros(second, conv.weightShape().dims());
                fast.conv2dBackward(x, w, conv.spec(), dy, null, dwFast, null);
                ref.conv2dBackward(x, w, conv.spec(), dy, null, dwRef, null);
                Tolerance.forReduction(2L * out.dim(2) * out.dim(3), 1).assertClose("dw of a fresh input", dwRef, dwFast);
            }
        }
    }

    @Test
    void linearEqualsReference() {
        GradientCheckTest.qt(60).forAll(integers().between(1, 70), integers().between(1, 130), integers().between(1, 40),
                integers().between(1, 3)).checkAssert((n, f, o, threads) -> {
            long seed = 31L * n + 7L * f + o;
            try (Arena arena = Arena.ofShared(); TrainingKernels fast = SimdTraining.create(threads)) {
                Tensor x = Tensor.randomNormal(arena, seed, 0f, 1f, n, f);
                Tensor w = Tensor.randomNormal(arena, seed + 1, 0f, 1f, o, f);
                Tensor b = Tensor.randomNormal(arena, seed + 2, 0f, 1f, o);
                Tensor dy = Tensor.randomNormal(arena, seed + 3, 0f, 1f, n, o);
                Tensor[][] res = new Tensor[2][];
                TrainingKernels[] ks = {TrainingKernels.reference(), fast};
                for (int i = 0; i < 2; i++) {
                    Tensor y = Tensor.full(arena, Float.NaN, n, o);
                    ks[i].linear(x, w, b, y);
                    Tensor dw = Tensor.randomNormal(arena, seed + 4, 0f, 1f, o, f);
                    Tensor db = Tensor.randomNormal(arena, seed + 5, 0f, 1f, o);
                    Tensor dx = Tensor.full(arena, Float.NaN, n, f);
                    ks[i].linearBackward(x, w, dy, dx, dw, db);
                    res[i] = new Tensor[] {y, dw, dx, db};
                }
                String what = "linear " + f + "→" + o + " batch " + n + " threads " + threads;
                Tolerance.forReduction(f, 1).assertClose(what + " forward", res[0][0], res[1][0]);
                Tolerance.forReduction(n, 1).assertClose(what + " dw", res[0][1], res[1][1]);
                Tolerance.forReduction(o, 1).assertClose(what + " dx", res[0][2], res[1][2]);
                Tolerance.forReduction(n, 1).assertClose(what + " db", res[0][3], res[1][3]);
            }
        });
    }

    @Test
    void reluEqualsReference() {
        try (Arena arena = Arena.ofShared(); TrainingKernels fast = SimdTraining.create(1)) {
            for (int size : new int[] {1, 15, 16, 17, 67, 1000}) {
                Tensor x = Tensor.randomNormal(arena, size, 0f, 1f, size);
                x.setFlat(0, 0f);
                if (size > 1) x.setFlat(1, -0f);
                Tensor dy = Tensor.randomNormal(arena, size + 1, 0f, 1f, size);
                Tensor[] y = {Tensor.allocate(arena, x.shape()), Tensor.allocate(arena, x.shape())};
                Tensor[] dx = {Tensor.allocate(arena, x.shape()), Tensor.allocate(arena, x.shape())};
                TrainingKernels[] ks = {TrainingKernels.reference(), fast};
                for (int i = 0; i < 2; i++) {
                    ks[i].activation(x, Activation.RELU, y[i]);
                    ks[i].activationBackward(x, Activation.RELU, dy, dx[i]);
                }
                Tolerance.EXACT.assertClose("relu " + size, y[0], y[1]);
                Tolerance.EXACT.assertClose("relu backward " + size, dx[0], dx[1]);
            }
        }
    }
}
