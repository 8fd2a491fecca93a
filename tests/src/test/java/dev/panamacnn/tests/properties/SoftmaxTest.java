package dev.panamacnn.tests.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.floats;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.reference.SoftmaxRef;
import dev.panamacnn.core.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Property 12: softmax along any axis gives positive values that sum to 1 along that axis, and is
 * invariant to adding a constant to a row (one fibre along the axis), logits near ±1000 included.
 *
 * <p>Logits are normal noise rounded to multiples of 2⁻¹⁰, so a row shifted by an integer up to
 * 1000 is still represented exactly in float: the shifted input carries the same information, and
 * any difference in the output comes from the kernel, not from rounding the input.
 */
class SoftmaxTest {

    record Case(int[] dims, int axis, float spread, long seed) {
        @Override
        public String toString() {
            return "Case" + java.util.Arrays.toString(dims) + " axis " + axis + " spread " + spread + " seed " + seed;
        }
    }

    private static Gen<Case> cases() {
        return in -> {
            int rank = integers().between(1, 4).generate(in);
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) dims[i] = integers().between(1, 7).generate(in);
            int axis = integers().between(-rank, rank - 1).generate(in);
            return new Case(dims, axis, floats().between(0.1f, 8f).generate(in), Gens.seeds().generate(in));
        };
    }

    /** Iterates over the fibres along the axis: {@code base + k·inner} for k < len. */
    private record Fibres(int len, long inner, long outer) {
        static Fibres of(Tensor t, int axis) {
            int a = axis < 0 ? t.rank() + axis : axis;
            int len = t.dim(a);
            long inner = t.shape().sizeFrom(a + 1);
            return new Fibres(len, inner, t.size() / (len * inner));
        }

        int count() {
            return (int) (outer * inner);
        }

        long index(int fibre, int k) {
            long o = fibre / inner, in = fibre % inner;
            return o * len * inner + in + k * inner;
        }
    }

    private static Tensor logits(Case k, Arena arena) {
        Tensor x = Tensor.randomNormal(arena, k.seed(), 0f, k.spread(), k.dims());
        for (long i = 0; i < x.size(); i++) x.setFlat(i, (float) (Math.rint(x.getFlat(i) * 1024.0) / 1024.0));
        return x;
    }

    @Test
    void rowsArePositiveAndSumToOne() {
        Props.qt(200).forAll(cases()).checkAssert(k -> {
            try (Arena arena = Arena.ofConfined()) {
                Tensor y = SoftmaxRef.softmax(logits(k, arena), k.axis(), arena);
                Fibres f = Fibres.of(y, k.axis());
                for (int r = 0; r < f.count(); r++) {
                    double sum = 0;
                    for (int i = 0; i < f.len(); i++) {
                        float v = y.getFlat(f.index(r, i));
                        assertTrue(v > 0f && v <= 1f, "row " + r + " element " + i + " = " + v);
                        sum += v;
                    }
                    Props.assertScalarClose("row " + r + " sum", 1.0, sum, Tolerance.forReduction(f.len(), 1.0 / f.len()));
                }
            }
        });
    }

    @Test
    void invariantToAddingAConstantToARow() {
        Props.qt(200).forAll(cases(), Gens.seeds()).checkAssert((k, shiftSeed) -> {
            try (Arena arena = Arena.ofConfined()) {
                Tensor x = logits(k, arena);
                Tensor shifted = x.copy(arena);
                Fibres f = Fibres.of(x, k.axis());
                RandomGenerator rng = Tensor.rng(shiftSeed);
                for (int r = 0; r < f.count(); r++) {
                    // Every row its own integer shift; a third of them at exactly ±1000.
                    int c = switch (rng.nextInt(3)) {
                        case 0 -> 1000;
                        case 1 -> -1000;
                        default -> rng.nextInt(-1000, 1001);
                    };
                    for (int i = 0; i < f.len(); i++) {
                        long at = f.index(r, i);
                        float v = x.getFlat(at) + c;
                        assertEquals((double) x.getFlat(at) + c, v, 0.0, "shifted logit is exact");
                        shifted.setFlat(at, v);
                    }
                }
                Tolerance.elementwise().assertClose("softmax(x + c) vs softmax(x)",
                        SoftmaxRef.softmax(x, k.axis(), arena).toArray(),
                        SoftmaxRef.softmax(shifted, k.axis(), arena).toArray());
            }
        });
    }

    @Test
    void extremeLogitsStayFinite() {
        try (Arena arena = Arena.ofConfined()) {
            float[][] rows = {
                {1000f, 999f, -1000f, 0f},
                {-1000f, -1000f, -1000f, -1000f},
                {Float.MAX_VALUE, 0f, -Float.MAX_VALUE, 1f},
                {88.8f, 88.7f, 89f, 90f},
            };
            for (float[] row : rows) {
                float[] y = SoftmaxRef.softmax(Tensor.of(arena, row, 1, row.length), -1, arena).toArray();
                double sum = 0;
                for (float v : y) {
                    assertTrue(Float.isFinite(v) && v >= 0f, "finite, non-negative: " + java.util.Arrays.toString(y));
                    sum += v;
                }
                assertEquals(1.0, sum, 1e-6, "sum of " + java.util.Arrays.toString(y));
            }
            float[] uniform = SoftmaxRef.softmax(Tensor.full(arena, -1000f, 1, 4), 1, arena).toArray();
            for (float v : uniform) assertEquals(0.25f, v, "equal logits give equal probabilities");
        }
    }
}
