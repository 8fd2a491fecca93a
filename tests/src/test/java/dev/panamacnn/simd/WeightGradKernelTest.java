package dev.panamacnn.simd;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.panamacnn.simd.gemm.GemmConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * {@link WeightGradKernel#accumulate} adds, per row r, tap n and lane l, Σ over the pixels p ≡ l
 * (mod L) of dY[r][p]·cols[n][p] to the lane sums, for row counts that the 3- and 4-row tiles
 * cover exactly or with repeated edge rows, and tap counts that are and are not multiples of the
 * 5-tap tile. Small integers make every sum exact, so the check is bit for bit.
 */
class WeightGradKernelTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final int NR = GemmConfig.NR, L = VectorCapabilities.FLOAT_SPECIES.length();

    record Case(int rows, int k, int panels, int strideExtra, long seed) {}

    static Gen<Case> cases() {
        return integers().between(1, 19).zip(integers().between(1, 37), integers().between(1, 4),
                integers().between(0, 2), (r, k, p, e) -> new Case(r, k, p, e * NR, r * 1_000_003L + k * 31L + p));
    }

    @Test
    void lanesSumsEqualScalarDotProducts() {
        if (!WeightGradKernel.available()) return;
        qt().withExamples(200).forAll(cases()).checkAssert(c -> {
            Random rnd = new Random(c.seed());
            int px = c.panels() * NR;
            long stride = px + c.strideExtra(), dyOff = 3 * stride, colsOff = 5 * NR, accOff = 7 * L;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment dy = fill(arena, dyOff + c.rows() * stride, rnd);
                MemorySegment cols = fill(arena, colsOff + (long) c.panels() * c.k() * NR, rnd);
                MemorySegment acc = fill(arena, accOff + (long) c.rows() * c.k() * L + L, rnd);
                float[] before = acc.toArray(F);
                WeightGradKernel.accumulate(dy, dyOff, stride, c.rows(), cols, colsOff, c.k(), c.panels(), acc, accOff);
                for (int i = 0; i < before.length; i++) {
                    long e = i - accOff;
                    float expected = before[i];
                    if (e >= 0 && e < (long) c.rows() * c.k() * L) {
                        int r = (int) (e / L / c.k()), n = (int) (e / L % c.k()), lane = (int) (e % L);
                        for (int p = lane; p < px; p += L) {
                            float col = cols.getAtIndex(F, colsOff + (long) (p / NR) * c.k() * NR + (long) n * NR + p % NR);
                            expected += dy.getAtIndex(F, dyOff + r * stride + p) * col;
                        }
                    }
                    float actual = acc.getAtIndex(F, i);
                    if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(actual)) {
                        throw new AssertionError(c + ": acc[" + i + "] expected " + expected + " got " + actual);
                    }
                }
            }
        });
    }

    private static MemorySegment fill(Arena arena, long floats, Random rnd) {
        MemorySegment s = arena.allocate(floats * 4, 64);
        for (long i = 0; i < floats; i++) s.setAtIndex(F, i, rnd.nextInt(7) - 3);
        return s;
    }
}
