package dev.panamacnn.simd.gemm;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.ThreadMXBean;
import dev.panamacnn.core.exec.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A warmed-up GEMM allocates nothing on the Java heap, on the caller's thread or the workers'. */
class SgemmAllocationTest {
    private static final ThreadMXBean MX = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Edge tiles in M and N (16 + 1 columns); with n = 49 two threads split M and share a packed B. */
    @ParameterizedTest
    @CsvSource({"1, 337", "2, 337", "2, 49"})
    void warmedUpCallsAllocateNothing(int threads, int n) {
        int m = 20, k = 300;
        try (Arena arena = Arena.ofShared(); WorkerPool pool = WorkerPool.create(threads);
                GemmWorkspace ws = GemmWorkspace.create(threads)) {
            MemorySegment a = fill(arena, (long) m * k), b = fill(arena, (long) k * n);
            MemorySegment c = arena.allocate(4L * m * n, 64), res = fill(arena, (long) m * n);
            MemorySegment rowBias = fill(arena, m), colBias = fill(arena, n);
            PackedA pa = PackedA.pack(a, 0, k, 1, m, k, arena);
            PackedB pb = PackedB.pack(b, 0, n, 1, k, n, arena);
            StridedBPacker packer = new StridedBPacker(b, 0, n, 1);
            Epilogue ep = Epilogue.relu6().rowBias(rowBias, 0).columnBias(colBias, 0).residual(res, 0, n, 1);
            Runnable calls = () -> {
                Sgemm.gemm(pa, packer, n, c, 0, n, 1, false, ep, ws, pool);
                Sgemm.gemm(pa, pb, c, 0, n, 1, true, Epilogue.NONE, ws, pool);
                Sgemm.gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, 1, false, ep, ws, pool);
                Sgemm.gemm(m, n, k, a, 0, 1, m, b, 0, 1, k, c, 0, 1, m, true, ep, ws, pool); // strided paths
            };
            long[] ids = threadIds(threads);
            // Warm up until C2 has compiled the path (code still in C1 boxes every vector); a
            // path that keeps allocating once compiled fails after the last round.
            long bytes = -1;
            for (int round = 0; round < 40 && bytes != 0; round++) {
                for (int i = 0; i < 500; i++) calls.run();
                long before = allocated(ids);
                for (int i = 0; i < 20; i++) calls.run();
                bytes = allocated(ids) - before;
            }
            assertEquals(0, bytes, "bytes allocated by 20 warmed-up GEMM rounds");
        }
    }

    /** The caller and the pool's workers (found by name once, before measuring). */
    private static long[] threadIds(int threads) {
        long[] ids = new long[threads];
        ids[0] = Thread.currentThread().threadId();
        int i = 1;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (i < threads && t.getName().startsWith("panama-cnn-worker-")) ids[i++] = t.threadId();
        }
        return ids;
    }

    private static long allocated(long[] ids) {
        long sum = 0;
        for (long id : ids) sum += MX.getThreadAllocatedBytes(id);
        return sum;
    }

    private static MemorySegment fill(Arena arena, long n) {
        MemorySegment s = arena.allocate(4 * n, 64);
        for (long i = 0; i < n; i++) s.setAtIndex(JAVA_FLOAT, i, (i % 13) * 0.25f - 1.5f);
        return s;
    }
}
