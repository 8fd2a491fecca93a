package dev.panamacnn.simd.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamacnn.core.exec.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Bad arguments fail before any memory is touched, with messages naming expected and actual. */
class SgemmArgumentsTest {

    @Test
    void rejectsBadShapesAndShortSegments() {
        try (Arena arena = Arena.ofShared(); GemmWorkspace ws = GemmWorkspace.create(1)) {
            MemorySegment s = arena.allocate(4 * 100, 64);
            WorkerPool pool = WorkerPool.SERIAL;
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Sgemm.gemm(0, 4, 4, s, 0, 4, 1, s, 0, 4, 1, s, 0, 4, 1, false, Epilogue.NONE, ws, pool));
            assertEquals("M must be >= 1, got 0", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Sgemm.gemm(10, 11, 10, s, 0, 10, 1, s, 0, 11, 1, s, 0, 11, 1, false, Epilogue.NONE, ws,
                            pool));
            assertEquals("B (10 x 11, offset 0, strides 11, 1) needs 110 floats, segment holds 100", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Sgemm.gemm(4, 4, 4, s, 0, 4, 1, s, 0, 4, 1, s, 0, 4, 1, false,
                            Epilogue.NONE.columnBias(s, 98), ws, pool));
            assertEquals("column bias (1 x 4, offset 98, strides 0, 1) needs 102 floats, segment holds 100",
                    e.getMessage());
            PackedA a = PackedA.pack(s, 0, 5, 1, 4, 5, arena);
            PackedB b = PackedB.pack(s, 0, 4, 1, 4, 4, arena);
            e = assertThrows(IllegalArgumentException.class,
                    () -> Sgemm.gemm(a, b, s, 0, 4, 1, false, Epilogue.NONE, ws, pool));
            assertEquals("inner dimensions differ: A is 4 x 5, B is 4 x 4", e.getMessage());
        }
    }

    @Test
    void rejectsAPoolLargerThanTheWorkspaceAndAClosedWorkspace() {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = WorkerPool.create(2)) {
            MemorySegment s = arena.allocate(4 * 16, 64);
            GemmWorkspace ws = GemmWorkspace.create(1);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Sgemm.gemm(4, 4, 4, s, 0, 4, 1, s, 0, 4, 1, s, 0, 4, 1, false, Epilogue.NONE, ws, pool));
            assertEquals("workspace has buffers for 1 threads, pool has 2", e.getMessage());
            ws.close();
            assertThrows(IllegalStateException.class, () -> Sgemm.gemm(4, 4, 4, s, 0, 4, 1, s, 0, 4, 1, s, 0, 4, 1,
                    false, Epilogue.NONE, ws, WorkerPool.SERIAL));
        }
    }

    @Test
    void rejectsAnEmptyClampRange() {
        var e = assertThrows(IllegalArgumentException.class, () -> Epilogue.NONE.clamp(1f, 0f));
        assertEquals("clamp needs lo <= hi, got [1.0, 0.0]", e.getMessage());
    }
}
