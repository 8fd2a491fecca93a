package dev.panamacnn.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    /**
     * Back-to-back runs of different sizes (as a GEMM that packs, then computes): every index runs
     * exactly once, and {@code run} returns only after all of them finished. Random spinning in
     * the tasks varies the interleavings; more threads than cores makes workers late.
     */
    @Test
    void everyTaskRunsOnceAndBeforeRunReturns() {
        try (WorkerPool pool = WorkerPool.create(3)) {
            for (int round = 0; round < 10000; round++) {
                int small = 1 + round % 4, large = 5 + round % 11;
                AtomicIntegerArray first = new AtomicIntegerArray(16), second = new AtomicIntegerArray(16);
                pool.run(small, (i, w) -> mark(first, i));
                check(first, small, "first run of round " + round);
                pool.run(large, (i, w) -> mark(second, i));
                check(second, large, "second run of round " + round);
                check(first, small, "first run of round " + round + " after the second");
            }
        }
    }

    /** More tasks than one round's shares can index: they go in rounds, each index once. */
    @Test
    void runsLongerThanOneRoundRunEveryTaskOnce() {
        int count = WorkerPool.MAX_ROUND * 2 + 7;
        AtomicIntegerArray seen = new AtomicIntegerArray(count);
        try (WorkerPool pool = WorkerPool.create(2)) {
            pool.run(count, (i, w) -> seen.incrementAndGet(i));
        }
        for (int i = 0; i < count; i++) assertEquals(1, seen.get(i), "times task " + i + " ran");
    }

    private static void mark(AtomicIntegerArray seen, int i) {
        for (int s = ThreadLocalRandom.current().nextInt(200); s > 0; s--) Thread.onSpinWait();
        seen.incrementAndGet(i);
    }

    private static void check(AtomicIntegerArray seen, int count, String what) {
        for (int i = 0; i < seen.length(); i++) {
            assertEquals(i < count ? 1 : 0, seen.get(i), what + ": times task " + i + " ran");
        }
    }

    @Test
    void rethrowsATaskFailureAfterTheRun() {
        try (WorkerPool pool = WorkerPool.create(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            var e = assertThrows(IllegalStateException.class, () -> pool.run(8, (i, w) -> {
                if (i == 5) throw boom;
            }));
            assertSame(boom, e);
        }
    }

    @Test
    void aPoolOfOneRunsEverythingOnTheCaller() {
        Thread caller = Thread.currentThread();
        WorkerPool.SERIAL.run(4, (i, w) -> {
            assertSame(caller, Thread.currentThread());
            assertEquals(0, w);
        });
        assertThrows(IllegalArgumentException.class, () -> WorkerPool.create(0));
    }
}
