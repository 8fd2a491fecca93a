package dev.panamacnn.simd.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

import dev.panamacnn.core.exec.WorkerPool;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The fast GEMM equals {@link dev.panamacnn.core.reference.GemmRef} over random shapes, layouts,
 * operand kinds, epilogues, beta and thread counts: within the reduction tolerance on normal
 * data, exactly on small integers.
 */
class SgemmPropertyTest {
    private static final int MAX_THREADS = 3;
    /** Keeps the double-precision oracle (a plain triple loop) fast enough. */
    private static final long MAX_WORK = 6_000_000;
    private static final WorkerPool[] POOLS = new WorkerPool[MAX_THREADS + 1];
    private static GemmWorkspace ws;

    @BeforeAll
    static void pools() {
        for (int t = 1; t <= MAX_THREADS; t++) POOLS[t] = WorkerPool.create(t);
        ws = GemmWorkspace.create(MAX_THREADS);
    }

    @AfterAll
    static void close() {
        for (int t = 1; t <= MAX_THREADS; t++) POOLS[t].close();
        ws.close();
    }

    /** Sizes around every blocking edge (MR, NR, KC, NC), primes, and anything in [1, 300]. */
    static Gen<Integer> dim(int... blocking) {
        List<Integer> edges = new ArrayList<>(List.of(1, 2, 3, 5, 13, 31, 97, 127, 211, 293));
        for (int b : blocking) {
            for (int d = -1; d <= 1; d++) if (b + d >= 1) edges.add(b + d);
            if (2 * b + 1 <= 1100) edges.add(2 * b + 1);
        }
        return Generate.pick(edges).mix(Generate.range(1, 300));
    }

    private static void check(int m, int n, int k, long seed, boolean ints) {
        // Scale K down when the oracle would be slow; K edges stay covered by the smaller shapes.
        int kk = (int) Math.max(1, Math.min(k, MAX_WORK / ((long) m * n)));
        GemmCase c = new GemmCase(m, n, kk, seed, ints, MAX_THREADS);
        c.check(POOLS[c.threads], ws);
    }

    @Test
    void matchesReferenceOnNormalData() {
        qt().withExamples(120).withShrinkCycles(50)
                .forAll(dim(GemmConfig.MR, 2 * GemmConfig.MR), dim(GemmConfig.NR, GemmConfig.NC),
                        dim(GemmConfig.KC), Generate.longRange(0, Long.MAX_VALUE))
                .checkAssert((m, n, k, seed) -> check(m, n, k, seed, false));
    }

    @Test
    void isExactOnSmallIntegers() {
        qt().withExamples(80).withShrinkCycles(50)
                .forAll(dim(GemmConfig.MR), dim(GemmConfig.NR), dim(GemmConfig.KC),
                        Generate.longRange(0, Long.MAX_VALUE))
                .checkAssert((m, n, k, seed) -> check(m, n, k, seed, true));
    }

    @Test
    void runsWithTheRequestedVectorSize() {
        // The second Surefire execution sets panamacnn.gemm.vectorBits=256 to test the 6 x 16 kernel.
        Integer bits = Integer.getInteger("panamacnn.gemm.vectorBits");
        if (bits != null) assertEquals(bits, GemmConfig.LANES * 32, GemmConfig.describe());
    }

    @Test
    void coversSeveralNBlocksAndKBlocks() {
        // N past two NC blocks and K past two KC blocks in one product.
        for (long seed = 0; seed < 4; seed++) {
            check(9, 2 * GemmConfig.NC + GemmConfig.NR + 5, 2 * GemmConfig.KC + 3, seed, seed % 2 == 0);
        }
    }
}
