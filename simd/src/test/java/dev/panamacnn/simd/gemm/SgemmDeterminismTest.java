package dev.panamacnn.simd.gemm;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.panamacnn.core.exec.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every thread count gives bit-identical results: tasks never split a K reduction. */
class SgemmDeterminismTest {

    @ParameterizedTest
    @CsvSource({"67, 700, 300", "200, 40, 520", "8, 1300, 17", "1, 1, 1"})
    void sameBitsForOneTwoAndThreeThreads(int m, int n, int k) {
        try (Arena arena = Arena.ofShared()) {
            Random rnd = new Random(m * 31L + n);
            MemorySegment a = random(arena, (long) m * k, rnd), b = random(arena, (long) k * n, rnd);
            MemorySegment bias = random(arena, m, rnd);
            Epilogue ep = Epilogue.relu().rowBias(bias, 0);
            float[] first = null;
            for (int t = 1; t <= 3; t++) {
                MemorySegment c = arena.allocate(4L * m * n, 64);
                Sgemm.gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, 1, false, ep, t);
                float[] got = c.toArray(JAVA_FLOAT);
                if (first == null) first = got;
                else assertArrayEquals(first, got, "threads " + t + " vs 1");
            }
        }
    }

    private static MemorySegment random(Arena arena, long n, Random rnd) {
        MemorySegment s = arena.allocate(4 * n, 64);
        for (long i = 0; i < n; i++) s.setAtIndex(JAVA_FLOAT, i, (float) rnd.nextGaussian());
        return s;
    }
}
