package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Fixtures.coin;
import static dev.panamacnn.simd.kernels.Fixtures.draw;
import static dev.panamacnn.simd.kernels.Fixtures.maxAbs;
import static dev.panamacnn.simd.kernels.Fixtures.seed;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.reference.NormRef;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.kernels.Fixtures.Placed;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** The affine (inference) and training batch-norm kernels equal {@link NormRef}. */
class NormKernelsTest {
    private static final int L = Vec.L;

    /** Bring the kernels to C2 first, so the properties also check the intrinsified code. */
    @BeforeAll
    static void warmUp() {
        Scenarios.warm(Scenarios.norm(), 5);
    }
    private static final float INF = Float.POSITIVE_INFINITY;
    private static final float[][] CLAMPS = {{-INF, INF}, {0f, INF}, {0f, 6f}, {-0.4f, 0.5f}};
    private static final float EPS = 1e-5f;

    /** {@code inner == 1}: {@code [N, C]} (vectors along channels); else {@code [N, C, inner]}. */
    record AffineCase(int n, int c, int inner, int clamp, boolean inPlace, long seed, long xOff,
                      long yOff, int cut1, int cut2) {}

    static final Gen<AffineCase> AFFINE = rs -> {
        int n = draw(rs, 1, 3), c = draw(rs, 1, 2 * L + 5);
        int inner = coin(rs) ? 1 : draw(rs, 2, 3 * L + 3);
        int a = draw(rs, 0, n * c), b = draw(rs, 0, n * c);
        return new AffineCase(n, c, inner, draw(rs, 0, CLAMPS.length - 1), coin(rs), seed(rs),
                draw(rs, 0, L), draw(rs, 0, L), Math.min(a, b), Math.max(a, b));
    };

    @Test
    void affineEqualsBatchNormInferenceThenClamp() {
        qt().withExamples(250).forAll(AFFINE).checkAssert(k -> {
            try (Arena arena = Arena.ofConfined()) {
                int planes = k.n * k.c;
                float[] xd = Fixtures.uniform(k.seed, planes * k.inner, -3f, 3f);
                float[] gamma = Fixtures.uniform(k.seed + 1, k.c, -2f, 2f);
                float[] beta = Fixtures.uniform(k.seed + 2, k.c, -1f, 1f);
                float[] mean = Fixtures.uniform(k.seed + 3, k.c, -1f, 1f);
                float[] var = Fixtures.uniform(k.seed + 4, k.c, 0.1f, 2f);
                Tensor x = k.inner == 1 ? Tensor.of(arena, xd, k.n, k.c) : Tensor.of(arena, xd, k.n, k.c, k.inner);
                float[] expected = NormRef.batchNormInference(x, Tensor.of(arena, gamma, k.c),
                        Tensor.of(arena, beta, k.c), Tensor.of(arena, mean, k.c), Tensor.of(arena, var, k.c),
                        EPS, arena).toArray();
                float lo = CLAMPS[k.clamp][0], hi = CLAMPS[k.clamp][1];
                Activation clip = Activation.clip(lo, hi);
                for (int i = 0; i < expected.length; i++) expected[i] = clip.apply(expected[i]);

                Placed scale = Placed.empty(arena, k.c, 3), shift = Placed.empty(arena, k.c, 1);
                Placed g = Placed.of(arena, gamma, 1), b = Placed.of(arena, beta, 2);
                Placed m = Placed.of(arena, mean, 0), v = Placed.of(arena, var, 5);
                NormKernels.inferenceScaleShift(g.segment(), g.offset(), b.segment(), b.offset(),
                        m.segment(), m.offset(), v.segment(), v.offset(), EPS, scale.segment(),
                        scale.offset(), shift.segment(), shift.offset(), k.c);
                Placed in = Placed.of(arena, xd, k.xOff);
                Placed out = k.inPlace ? in : Placed.empty(arena, xd.length, k.yOff);
                int[] bounds = {k.cut2, planes, 0, k.cut1, k.cut1, k.cut2};
                for (int r = 0; r < bounds.length; r += 2) {
                    NormKernels.affine(in.segment(), in.offset(), scale.segment(), scale.offset(),
                            shift.segment(), shift.offset(), out.segment(), out.offset(), k.c, k.inner,
                            lo, hi, bounds[r], bounds[r + 1]);
                }
                // scale and shift are rounded to float, then one FMA: within 2 ulps of its largest term.
                double term = maxAbs(xd) * maxAbs(scale.read()) + maxAbs(shift.read());
                Tolerance.forReduction(2, term).assertClose("affine", expected, out.read());
                out.assertGuardsIntact("output");
            }
        });
    }

    record TrainCase(int n, int c, int inner, float momentum, float offset, boolean saves,
                     boolean inPlace, long seed, long xOff, int cut1, int cut2) {}

    static final Gen<TrainCase> TRAIN = rs -> {
        int c = draw(rs, 1, 2 * L + 5);
        int inner = coin(rs) ? 1 : draw(rs, 2, 3 * L + 3);
        int n = draw(rs, inner == 1 ? 2 : 1, 4);
        float[] momenta = {0f, 0.1f, 1f, 0.37f};
        int a = draw(rs, 0, c), b = draw(rs, 0, c);
        // A mean offset makes the variance a small difference of large numbers: the two-pass test.
        return new TrainCase(n, c, inner, momenta[draw(rs, 0, 3)], draw(rs, -5, 5), coin(rs),
                coin(rs), seed(rs), draw(rs, 0, L), Math.min(a, b), Math.max(a, b));
    };

    @Test
    void batchNormTrainingEqualsReference() {
        qt().withExamples(250).forAll(TRAIN).checkAssert(NormKernelsTest::checkTraining);
    }

    private static void checkTraining(TrainCase k) {
        try (Arena arena = Arena.ofConfined()) {
            int total = k.n * k.c * k.inner;
            long m = (long) k.n * k.inner;
            float[] xd = Fixtures.uniform(k.seed, total, k.offset - 3f, k.offset + 3f);
            float[] gamma = Fixtures.uniform(k.seed + 1, k.c, -2f, 2f);
            float[] beta = Fixtures.uniform(k.seed + 2, k.c, -1f, 1f);
            float[] rm0 = Fixtures.uniform(k.seed + 3, k.c, -1f, 1f);
            float[] rv0 = Fixtures.uniform(k.seed + 4, k.c, 0.5f, 2f);
            Tensor x = k.inner == 1 ? Tensor.of(arena, xd, k.n, k.c) : Tensor.of(arena, xd, k.n, k.c, k.inner);
            Tensor rm = Tensor.of(arena, rm0, k.c), rv = Tensor.of(arena, rv0, k.c);
            Tensor out = Tensor.allocate(arena, x.shape());
            Tensor sm = Tensor.allocate(arena, rm.shape()), si = Tensor.allocate(arena, rm.shape());
            NormRef.batchNormTraining(x, Tensor.of(arena, gamma, k.c), Tensor.of(arena, beta, k.c),
                    rm, rv, EPS, k.momentum, out, sm, si);

            Placed in = Placed.of(arena, xd, k.xOff);
            Placed y = k.inPlace ? in : Placed.empty(arena, total, 1);
            Placed g = Placed.of(arena, gamma, 2), b = Placed.of(arena, beta, 0);
            Placed prm = Placed.of(arena, rm0, 1), prv = Placed.of(arena, rv0, 3);
            Placed psm = Placed.empty(arena, k.c, 0), psi = Placed.empty(arena, k.c, 2);
            int[] bounds = {k.cut1, k.cut2, k.cut2, k.c, 0, k.cut1};
            for (int r = 0; r < bounds.length; r += 2) {
                NormKernels.batchNormTraining(in.segment(), in.offset(), g.segment(), g.offset(),
                        b.segment(), b.offset(), prm.segment(), prm.offset(), prv.segment(), prv.offset(),
                        y.segment(), y.offset(), k.saves ? psm.segment() : null, psm.offset(),
                        k.saves ? psi.segment() : null, psi.offset(), k.n, k.c, k.inner, EPS,
                        k.momentum, bounds[r], bounds[r + 1]);
            }
            // The mean is a sum of m terms x/m; it reaches y multiplied by the scale γ/σ, so y's
            // bound is the reduction bound for m terms of |x|·|scale|/√m plus the FMA's rounding.
            double maxScale = 0;
            for (int c = 0; c < k.c; c++) maxScale = Math.max(maxScale, Math.abs(gamma[c] * si.getFlat(c)));
            double term = maxAbs(xd) * maxScale + 1 + maxAbs(sm.toArray()) * maxScale;
            Tolerance.forReduction(m, term / Math.sqrt(m)).assertClose("y", out.toArray(), y.read());
            Tolerance.forReduction(m, (maxAbs(xd) + maxAbs(rm0)) / m)
                    .assertClose("runningMean", rm.toArray(), prm.read());
            // Variances: positive sums of m squares, no cancellation: relative bound only.
            Tolerance.forReduction(m, 0).assertClose("runningVar", rv.toArray(), prv.read());
            if (k.saves) {
                Tolerance.forReduction(m, maxAbs(xd) / m).assertClose("saveMean", sm.toArray(), psm.read());
                Tolerance.forReduction(m, 0).assertClose("saveInvStd", si.toArray(), psi.read());
                psm.assertGuardsIntact("saveMean");
                psi.assertGuardsIntact("saveInvStd");
            }
            y.assertGuardsIntact("output");
            prm.assertGuardsIntact("runningMean");
            prv.assertGuardsIntact("runningVar");
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(1024);
            assertThrows(IllegalArgumentException.class, () -> NormKernels.batchNormTraining(s, 0, s, 0,
                    s, 0, s, 0, s, 0, s, 0, null, 0, null, 0, 1, 4, 1, EPS, 0.1f, 0, 4)); // one value per channel
            assertThrows(IllegalArgumentException.class, () -> NormKernels.batchNormTraining(s, 0, s, 0,
                    s, 0, s, 0, s, 0, s, 0, null, 0, null, 0, 2, 4, 1, EPS, 1.5f, 0, 4)); // momentum
            assertThrows(IllegalArgumentException.class, () -> NormKernels.batchNormTraining(s, 0, s, 0,
                    s, 0, s, 0, s, 0, s, 0, null, 0, null, 0, 2, 4, 1, EPS, 0.1f, 0, 5)); // channel range
            assertThrows(IllegalArgumentException.class, () -> NormKernels.affine(s, 0, s, 0, s, 0, s, 0,
                    4, 100, 0f, 6f, 0, 4)); // 400 floats do not fit in 256
        }
    }
}
