package dev.panamacnn.simd.gemm;

import dev.panamacnn.core.exec.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Single-precision GEMM: {@code C = A·B} (or {@code C += A·B}), then an {@link Epilogue}, with A
 * M × K, B K × N and C M × N. C may have any strides (in floats; a column stride of 1 takes the
 * vector store path). Every entry point validates all shapes and bounds before touching memory.
 *
 * <p>Given a {@link GemmWorkspace} and a {@link WorkerPool} these methods allocate nothing on the
 * Java heap once warmed up; the result is bit-identical for every thread count. With a pool of more
 * than one thread, every segment must be usable from the pool's threads (a shared, global or auto
 * arena, as tensors are). The three ways to supply the operands:
 * <ul>
 *   <li>{@link PackedA} with a {@link BPacker} (a convolution packing B straight from an image);
 *   <li>{@link PackedA} with a {@link PackedB} (both sides prepared once);
 *   <li>plain strided A and B (A is packed into the workspace on every call).
 * </ul>
 */
public final class Sgemm {
    private Sgemm() {}

    /** C = A·B (+ C if {@code accumulate}), then {@code epilogue}; B is n columns wide, packed by {@code b}. */
    public static void gemm(PackedA a, BPacker b, int n, MemorySegment c, long cOffsetElems, long cRowStride,
            long cColStride, boolean accumulate, Epilogue epilogue, GemmWorkspace ws, WorkerPool pool) {
        Objects.requireNonNull(a, "A");
        Objects.requireNonNull(b, "B packer");
        Checks.positive("N", n);
        if (b instanceof StridedBPacker s) s.checkFits(a.k(), n);
        GemmDriver d = prepare(a.m(), n, a.k(), c, cOffsetElems, cRowStride, cColStride, accumulate, epilogue, ws,
                pool);
        d.a = a.segment();
        d.aBase = 0;
        d.bMode = GemmDriver.B_PACKER;
        d.packer = b;
        d.execute(pool);
    }

    /** C = A·B (+ C if {@code accumulate}), then {@code epilogue}, both operands packed once. */
    public static void gemm(PackedA a, PackedB b, MemorySegment c, long cOffsetElems, long cRowStride,
            long cColStride, boolean accumulate, Epilogue epilogue, GemmWorkspace ws, WorkerPool pool) {
        Objects.requireNonNull(a, "A");
        Objects.requireNonNull(b, "B");
        if (a.k() != b.k()) {
            throw new IllegalArgumentException("inner dimensions differ: A is " + a.m() + " x " + a.k() + ", B is "
                    + b.k() + " x " + b.n());
        }
        GemmDriver d = prepare(a.m(), b.n(), a.k(), c, cOffsetElems, cRowStride, cColStride, accumulate, epilogue,
                ws, pool);
        d.a = a.segment();
        d.aBase = 0;
        d.bMode = GemmDriver.B_PACKED;
        d.b = b.segment();
        d.bOff = 0;
        d.execute(pool);
    }

    /**
     * C = A·B (+ C if {@code accumulate}), then {@code epilogue}, for plain matrices: element (i, j)
     * of X is the float at {@code xOffsetElems + i·xRowStride + j·xColStride} (so a transpose is a
     * swap of strides). A is packed into {@code ws} on each call; B is packed block by block.
     */
    public static void gemm(int m, int n, int k,
            MemorySegment a, long aOffsetElems, long aRowStride, long aColStride,
            MemorySegment b, long bOffsetElems, long bRowStride, long bColStride,
            MemorySegment c, long cOffsetElems, long cRowStride, long cColStride,
            boolean accumulate, Epilogue epilogue, GemmWorkspace ws, WorkerPool pool) {
        Checks.positive("M", m);
        Checks.positive("K", k);
        Checks.fits("A", a, aOffsetElems, aRowStride, aColStride, m, k);
        Checks.positive("N", n);
        Checks.fits("B", b, bOffsetElems, bRowStride, bColStride, k, n);
        GemmDriver d = prepare(m, n, k, c, cOffsetElems, cRowStride, cColStride, accumulate, epilogue, ws, pool);
        MemorySegment packedA = ws.aBuffer(PackedA.bytes(m, k));
        Packing.packA(a, aOffsetElems, aRowStride, aColStride, m, k, packedA, 0);
        d.a = packedA;
        d.aBase = 0;
        d.bMode = GemmDriver.B_STRIDED;
        d.b = b;
        d.bOff = bOffsetElems;
        d.bRs = bRowStride;
        d.bCs = bColStride;
        d.execute(pool);
    }

    /**
     * The same for one-off use (tests, tools): creates and frees its own workspace and a pool of
     * {@code threads}. Allocates; use the workspace overloads in hot paths.
     */
    public static void gemm(int m, int n, int k,
            MemorySegment a, long aOffsetElems, long aRowStride, long aColStride,
            MemorySegment b, long bOffsetElems, long bRowStride, long bColStride,
            MemorySegment c, long cOffsetElems, long cRowStride, long cColStride,
            boolean accumulate, Epilogue epilogue, int threads) {
        Checks.positive("threads", threads);
        try (GemmWorkspace ws = GemmWorkspace.create(threads); WorkerPool pool = WorkerPool.create(threads)) {
            gemm(m, n, k, a, aOffsetElems, aRowStride, aColStride, b, bOffsetElems, bRowStride, bColStride,
                    c, cOffsetElems, cRowStride, cColStride, accumulate, epilogue, ws, pool);
        }
    }

    private static GemmDriver prepare(int m, int n, int k, MemorySegment c, long cOff, long cRs, long cCs,
            boolean accumulate, Epilogue epilogue, GemmWorkspace ws, WorkerPool pool) {
        Objects.requireNonNull(ws, "workspace");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(epilogue, "epilogue (use Epilogue.NONE)");
        ws.checkOpen();
        if (pool.threads() > ws.threads()) {
            throw new IllegalArgumentException("workspace has buffers for " + ws.threads()
                    + " threads, pool has " + pool.threads());
        }
        Checks.fits("C", c, cOff, cRs, cCs, m, n);
        if (cRs < 1 && m > 1 || cCs < 1 && n > 1) {
            throw new IllegalArgumentException("C strides must be >= 1, got row stride " + cRs + ", column stride "
                    + cCs);
        }
        epilogue.checkFits(m, n);
        GemmDriver d = ws.driver;
        d.m = m;
        d.n = n;
        d.k = k;
        d.c = c;
        d.cOff = cOff;
        d.cRs = cRs;
        d.cCs = cCs;
        d.accumulate = accumulate;
        d.epilogue = epilogue.isIdentity() ? null : epilogue;
        return d;
    }
}
