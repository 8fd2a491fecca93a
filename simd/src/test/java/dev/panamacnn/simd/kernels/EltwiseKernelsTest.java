package dev.panamacnn.simd.kernels;

import static dev.panamacnn.simd.kernels.Fixtures.draw;
import static dev.panamacnn.simd.kernels.Fixtures.seed;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.reference.EltwiseRef;
import dev.panamacnn.core.testing.Tolerance;
import dev.panamacnn.simd.kernels.Fixtures.Placed;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Element-wise kernels equal {@link EltwiseRef} / {@link Activation#apply(float)}. */
class EltwiseKernelsTest {
    private static final int L = Vec.L;

    /** Bring the kernels to C2 first, so the properties also check the intrinsified code. */
    @BeforeAll
    static void warmUp() {
        Scenarios.warm(Scenarios.eltwise(), 5);
    }
    private static final float INF = Float.POSITIVE_INFINITY;
    private static final float[][] CLAMPS = {{-INF, INF}, {0f, INF}, {0f, 6f}, {-0.4f, 0.5f}};

    /** {@code alias}: 0 separate output, 1 output = a, 2 output = b (in place). */
    record Case(int n, int clamp, int alias, long seed, long aOff, long bOff, long yOff, int cut1, int cut2) {}

    static final Gen<Case> CASES = rs -> {
        int n = draw(rs, 0, 5 * L + 3);
        int a = draw(rs, 0, n), b = draw(rs, 0, n);
        return new Case(n, draw(rs, 0, CLAMPS.length - 1), draw(rs, 0, 2), seed(rs), draw(rs, 0, L),
                draw(rs, 0, L), draw(rs, 0, L), Math.min(a, b), Math.max(a, b));
    };

    @Test
    void addClampEqualsAddThenClampExactly() {
        qt().withExamples(300).forAll(CASES).checkAssert(k -> {
            try (Arena arena = Arena.ofConfined()) {
                float[] ad = Fixtures.uniform(k.seed, k.n, -8f, 8f), bd = Fixtures.uniform(k.seed + 1, k.n, -8f, 8f);
                float lo = CLAMPS[k.clamp][0], hi = CLAMPS[k.clamp][1];
                float[] expected = new float[k.n];
                if (k.n > 0) {
                    expected = EltwiseRef.add(Tensor.of(arena, ad, k.n), Tensor.of(arena, bd, k.n), arena).toArray();
                    Activation clip = Activation.clip(lo, hi);
                    for (int i = 0; i < k.n; i++) expected[i] = clip.apply(expected[i]);
                }
                Placed a = Placed.of(arena, ad, k.aOff), b = Placed.of(arena, bd, k.bOff);
                Placed y = k.alias == 1 ? a : k.alias == 2 ? b : Placed.empty(arena, k.n, k.yOff);
                long[] bounds = {k.cut2, k.n, k.cut1, k.cut2, 0, k.cut1};
                for (int r = 0; r < bounds.length; r += 2) {
                    EltwiseKernels.addClamp(a.segment(), a.offset(), b.segment(), b.offset(), y.segment(),
                            y.offset(), lo, hi, bounds[r], bounds[r + 1]);
                }
                Tolerance.EXACT.assertClose("addClamp", expected, y.read());
                y.assertGuardsIntact("output");
            }
        });
    }

    @Test
    void clampEqualsActivationExactly() {
        qt().withExamples(300).forAll(CASES).checkAssert(k -> {
            try (Arena arena = Arena.ofConfined()) {
                float[] xd = Fixtures.uniform(k.seed, k.n, -8f, 8f);
                float lo = CLAMPS[k.clamp][0], hi = CLAMPS[k.clamp][1];
                // [0, +∞] must be exactly the reference's ReLU, [0, 6] its ReLU6.
                Activation act = k.clamp == 1 ? Activation.RELU : k.clamp == 2 ? Activation.RELU6
                        : Activation.clip(lo, hi);
                float[] expected = new float[k.n];
                for (int i = 0; i < k.n; i++) expected[i] = act.apply(xd[i]);
                Placed x = Placed.of(arena, xd, k.aOff);
                Placed y = k.alias != 0 ? x : Placed.empty(arena, k.n, k.yOff);
                long[] bounds = {0, k.cut1, k.cut2, k.n, k.cut1, k.cut2};
                for (int r = 0; r < bounds.length; r += 2) {
                    EltwiseKernels.clamp(x.segment(), x.offset(), y.segment(), y.offset(), lo, hi,
                            bounds[r], bounds[r + 1]);
                }
                Tolerance.EXACT.assertClose("clamp", expected, y.read());
                y.assertGuardsIntact("output");
            }
        });
    }

    @Test
    void sigmoidAndTanhEqualReferenceWithinElementwiseTolerance() {
        qt().withExamples(300).forAll(CASES).checkAssert(k -> {
            try (Arena arena = Arena.ofConfined()) {
                float[] xd = Fixtures.uniform(k.seed, k.n, -12f, 12f);
                checkTranscendental(arena, xd, k, Activation.SIGMOID);
                checkTranscendental(arena, xd, k, Activation.TANH);
            }
        });
    }

    private static void checkTranscendental(Arena arena, float[] xd, Case k, Activation act) {
        float[] expected = new float[k.n];
        for (int i = 0; i < k.n; i++) expected[i] = act.apply(xd[i]);
        Placed x = Placed.of(arena, xd, k.aOff);
        Placed y = k.alias != 0 ? x : Placed.empty(arena, k.n, k.yOff);
        long[] bounds = {k.cut1, k.cut2, 0, k.cut1, k.cut2, k.n};
        for (int r = 0; r < bounds.length; r += 2) {
            if (act == Activation.SIGMOID) {
                EltwiseKernels.sigmoid(x.segment(), x.offset(), y.segment(), y.offset(), bounds[r], bounds[r + 1]);
            } else {
                EltwiseKernels.tanh(x.segment(), x.offset(), y.segment(), y.offset(), bounds[r], bounds[r + 1]);
            }
        }
        Tolerance.elementwise().assertClose(act.toString(), expected, y.read());
        y.assertGuardsIntact("output");
    }

    /**
     * The accuracy claim in {@link EltwiseKernels}: a sweep of about 68 000 floats over
     * [−100, 100] (every 2^15-th bit pattern of each sign, so tiny, huge, saturated and
     * subnormal-result inputs all occur) stays within {@code Tolerance.elementwise()}.
     */
    @Test
    void sigmoidAndTanhOverAFloatSweep() {
        int count = 0;
        float[] xs = new float[2 * (0x42c80000 >>> 15) + 2];
        for (int bits = 0; bits <= 0x42c80000; bits += 1 << 15) { // 0x42c80000 = 100f
            xs[count++] = Float.intBitsToFloat(bits);
            xs[count++] = -Float.intBitsToFloat(bits);
        }
        float[] sweep = java.util.Arrays.copyOf(xs, count);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate((long) count * Float.BYTES, 64);
            MemorySegment out = arena.allocate((long) count * Float.BYTES, 64);
            MemorySegment.copy(sweep, 0, in, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, count);
            for (Activation act : new Activation[] {Activation.SIGMOID, Activation.TANH}) {
                if (act == Activation.SIGMOID) EltwiseKernels.sigmoid(in, 0, out, 0, 0, count);
                else EltwiseKernels.tanh(in, 0, out, 0, 0, count);
                float[] expected = new float[count];
                for (int i = 0; i < count; i++) expected[i] = act.apply(sweep[i]);
                Tolerance.elementwise().assertClose(act + " sweep", expected,
                        out.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT));
            }
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(64);
            assertThrows(IllegalArgumentException.class, () -> EltwiseKernels.clamp(s, 0, s, 0, 1f, 0f, 0, 4));
            assertThrows(IllegalArgumentException.class, () -> EltwiseKernels.clamp(s, 0, s, 0, Float.NaN, 0f, 0, 4));
            assertThrows(IllegalArgumentException.class, () -> EltwiseKernels.sigmoid(s, 1, s, 0, 0, 16));
            assertThrows(IllegalArgumentException.class, () -> EltwiseKernels.tanh(s, 0, s, 0, 3, 2));
            assertThrows(IllegalArgumentException.class, () -> EltwiseKernels.addClamp(s, 0, null, 0, s, 0, 0f, 1f, 0, 1));
        }
    }
}
