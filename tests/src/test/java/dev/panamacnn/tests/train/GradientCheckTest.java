package dev.panamacnn.tests.train;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.examples.ResNet18;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Dropout;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Residual;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import dev.panamacnn.core.train.TrainingKernels;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;

/**
 * Every trainable layer's analytic gradients (input and parameters, reference kernels) match
 * central finite differences of a double-precision forward, over random small shapes: odd sizes,
 * stride/padding/dilation/groups for convolution, ceil mode and padding for pooling, batch-norm
 * 1-D and 2-D in training mode, every activation, dropout's mask, and residual blocks with
 * identity and projection shortcuts.
 */
class GradientCheckTest {
    /** A layer, its input shape and a seed (weights, input, upstream gradient, dropout masks). */
    record Case(Layer layer, Shape in, long seed) {
        @Override
        public String toString() {
            return layer.describe() + " on " + in + " seed " + seed;
        }
    }

    static QuickTheory qt(int examples) {
        QuickTheory q = QuickTheory.qt();
        return System.getProperty("QT_EXAMPLES") == null ? q.withExamples(examples).withShrinkCycles(50) : q;
    }

    static void check(Case c) {
        GradCheck.check(c.layer(), c.in(), c.seed(), TrainingKernels.reference());
    }

    static int between(int lo, int hi, org.quicktheories.core.RandomnessSource in) {
        return integers().between(lo, hi).generate(in);
    }

    /** Convolutions whose (dilated) kernel fits the padded input, groups dividing both channel counts. */
    static Gen<Case> convs() {
        return in -> {
            int g = between(1, 3, in), cg = between(1, 2, in), og = between(1, 3, in);
            int h = between(1, 7, in), w = between(1, 7, in);
            int kh = between(1, 3, in), kw = between(1, 3, in);
            int pt = between(0, 2, in), pl = between(0, 2, in), pb = between(0, 2, in), pr = between(0, 2, in);
            int dh = between(1, 2, in), dw = between(1, 2, in);
            if (dh * (kh - 1) + 1 > h + pt + pb) dh = 1;
            if (kh > h + pt + pb) kh = 1;
            if (dw * (kw - 1) + 1 > w + pl + pr) dw = 1;
            if (kw > w + pl + pr) kw = 1;
            Conv2dSpec spec = Conv2dSpec.of(kh, kw).stride(between(1, 3, in), between(1, 3, in))
                    .padding(pt, pl, pb, pr).dilation(dh, dw).groups(g);
            Conv2d conv = new Conv2d(g * cg, g * og, spec, booleans().all().generate(in));
            return new Case(conv, Shape.of(between(1, 2, in), g * cg, h, w), longs().all().generate(in));
        };
    }

    @Test
    void convolution() {
        qt(40).forAll(convs()).checkAssert(GradientCheckTest::check);
    }

    /** The same property through the simd kernels (GEMM gradients, batch split over two threads). */
    @Test
    void convolutionWithFastKernels() {
        try (TrainingKernels fast = dev.panamacnn.simd.SimdTraining.create(2)) {
            qt(25).forAll(convs()).checkAssert(c -> GradCheck.check(c.layer(), c.in(), c.seed(), fast));
        }
    }

    @Test
    void linear() {
        qt(30).forAll(in -> new Case(new Linear(between(1, 9, in), between(1, 6, in), booleans().all().generate(in)),
                        null, longs().all().generate(in)))
                .checkAssert(c -> {
                    Linear l = (Linear) c.layer();
                    check(new Case(l, Shape.of(1 + (int) Math.floorMod(c.seed(), 4L), l.inFeatures()), c.seed()));
                });
    }

    static Gen<Case> pools(boolean max) {
        return in -> {
            int kh = between(1, 3, in), kw = between(1, 3, in);
            Pool2dSpec spec = Pool2dSpec.of(kh, kw).stride(between(1, 3, in), between(1, 3, in))
                    .padding(between(0, kh / 2, in), between(0, kw / 2, in), between(0, kh / 2, in), between(0, kw / 2, in))
                    .ceilMode(booleans().all().generate(in)).countIncludePad(booleans().all().generate(in));
            Shape x = Shape.of(between(1, 2, in), between(1, 3, in), between(kh, 7, in), between(kw, 7, in));
            return new Case(max ? Pool2d.max(spec) : Pool2d.avg(spec), x, longs().all().generate(in));
        };
    }

    @Test
    void maxPool() {
        qt(40).forAll(pools(true)).checkAssert(GradientCheckTest::check);
    }

    @Test
    void avgPool() {
        qt(40).forAll(pools(false)).checkAssert(GradientCheckTest::check);
    }

    @Test
    void globalPools() {
        qt(20).forAll(in -> new Case(booleans().all().generate(in) ? GlobalPool.max() : GlobalPool.avg(),
                Shape.of(between(1, 3, in), between(1, 3, in), between(1, 5, in), between(1, 5, in)),
                longs().all().generate(in))).checkAssert(GradientCheckTest::check);
    }

    @Test
    void batchNormTraining() {
        qt(30).forAll(in -> {
            int c = between(1, 4, in);
            Shape x = booleans().all().generate(in) ? Shape.of(between(2, 6, in), c)
                    : Shape.of(between(1, 3, in), c, between(1, 4, in), between(2, 4, in));
            return new Case(new BatchNorm(c, 1e-3f, 0.1f), x, longs().all().generate(in));
        }).checkAssert(GradientCheckTest::check);
    }

    @Test
    void activations() {
        List<Activation> acts = List.of(Activation.RELU, Activation.RELU6, Activation.clip(-0.5f, 0.7f),
                Activation.SIGMOID, Activation.TANH, Activation.hardSigmoid(0.2f, 0.5f), Activation.HARD_SWISH);
        qt(30).forAll(in -> new Case(new Act(acts.get(between(0, acts.size() - 1, in))),
                Shape.of(between(1, 3, in), between(1, 5, in), between(1, 4, in)), longs().all().generate(in)))
                .checkAssert(c -> check(new Case(c.layer(), c.in(), c.seed())));
    }

    @Test
    void dropoutUsesTheForwardMask() {
        qt(20).forAll(in -> new Case(new Dropout(between(1, 7, in) / 10f),
                Shape.of(between(1, 3, in), between(1, 9, in)), longs().all().generate(in)))
                .checkAssert(GradientCheckTest::check);
    }

    /** conv–BN–ReLU, a residual block (identity or projection), global pool, flatten, dropout, linear. */
    @Test
    void residualNetworks() {
        qt(12).forAll(in -> {
            int c = between(1, 3, in), out = between(1, 4, in), stride = between(1, 2, in);
            Layer net = Sequential.builder()
                    .add("stem", Conv2d.of(1, c, 3).padding(1))
                    .add("bn", BatchNorm.of(c))
                    .add("relu", Act.relu())
                    .add("block", ResNet18.basicBlock(c, out, stride))
                    .add("block2", Residual.identity(Sequential.of(Conv2d.of(out, out, 1), Act.tanh()),
                            Activation.IDENTITY))
                    .add("pool", GlobalPool.avg())
                    .add("flatten", new Flatten())
                    .add("drop", new Dropout(0.3f))
                    .add("fc", Linear.of(out, 3))
                    .build();
            return new Case(net, Shape.of(2, 1, between(3, 6, in), between(3, 6, in)), longs().all().generate(in));
        }).checkAssert(GradientCheckTest::check);
    }
}
