package dev.panamacnn.simd.gemm;

import dev.panamacnn.core.exec.WorkerPool;
import dev.panamacnn.core.reference.GemmRef;
import dev.panamacnn.core.testing.Tolerance;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * One randomly configured GEMM (layouts, operand kind, epilogue, beta) derived from a seed, run
 * through {@link Sgemm} and {@link GemmRef} and compared.
 */
final class GemmCase {
    enum Operands { PACKED_A_PACKER, PACKED_A_PACKED_B, PLAIN }

    final int m, n, k;
    final boolean ints;
    final Mat.Layout aLayout, bLayout, cLayout, rLayout;
    final Operands operands;
    final boolean accumulate, rowBias, colBias, residual;
    final float lo, hi;
    final int threads;
    private final long seed;

    GemmCase(int m, int n, int k, long seed, boolean ints, int maxThreads) {
        this.m = m;
        this.n = n;
        this.k = k;
        this.seed = seed;
        this.ints = ints;
        Random r = new Random(seed);
        Mat.Layout[] layouts = Mat.Layout.values();
        aLayout = layouts[r.nextInt(layouts.length)];
        bLayout = layouts[r.nextInt(layouts.length)];
        // C mostly unit column stride so the vector store path is exercised as much as the scalar one.
        cLayout = r.nextInt(3) > 0 ? (r.nextBoolean() ? Mat.Layout.ROW_MAJOR : Mat.Layout.ROW_PADDED)
                : layouts[r.nextInt(layouts.length)];
        rLayout = layouts[r.nextInt(layouts.length)];
        operands = Operands.values()[r.nextInt(Operands.values().length)];
        accumulate = r.nextBoolean();
        rowBias = r.nextBoolean();
        colBias = r.nextBoolean();
        residual = r.nextBoolean();
        switch (r.nextInt(4)) {
            case 0 -> { lo = Float.NEGATIVE_INFINITY; hi = Float.POSITIVE_INFINITY; }
            case 1 -> { lo = 0f; hi = Float.POSITIVE_INFINITY; }
            case 2 -> { lo = 0f; hi = 6f; }
            default -> { lo = -1.5f; hi = 2f; }
        }
        threads = 1 + r.nextInt(maxThreads);
    }

    /** Runs the case with {@code pool} (its size is the case's thread count) and checks the result. */
    void check(WorkerPool pool, GemmWorkspace ws) {
        try (Arena arena = Arena.ofShared()) {
            Random r = new Random(seed ^ 0x5DEECE66DL);
            Mat a = Mat.create(arena, m, k, aLayout, r.nextInt(4), r, ints);
            Mat b = Mat.create(arena, k, n, bLayout, r.nextInt(4), r, ints);
            Mat c = Mat.create(arena, m, n, cLayout, r.nextInt(4), r, ints);
            Mat res = residual ? Mat.create(arena, m, n, rLayout, r.nextInt(4), r, ints) : null;
            MemorySegment rb = rowBias ? Mat.vector(arena, m + 2, r, ints) : null;
            MemorySegment cb = colBias ? Mat.vector(arena, n + 2, r, ints) : null;
            Mat expected = c.copy(arena);
            GemmRef.gemm(m, n, k, a.seg(), a.off(), a.rs(), a.cs(), b.seg(), b.off(), b.rs(), b.cs(),
                    expected.seg(), expected.off(), expected.rs(), expected.cs(), accumulate,
                    rb, 1, cb, 2, res == null ? null : res.seg(), res == null ? 0 : res.off(),
                    res == null ? 0 : res.rs(), res == null ? 0 : res.cs(), lo, hi);

            Epilogue ep = Epilogue.NONE;
            if (rowBias) ep = ep.rowBias(rb, 1);
            if (colBias) ep = ep.columnBias(cb, 2);
            if (residual) ep = ep.residual(res.seg(), res.off(), res.rs(), res.cs());
            if (lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY) ep = ep.clamp(lo, hi);
            run(arena, a, b, c, ep, pool, ws);

            Tolerance tol = ints ? Tolerance.EXACT : Tolerance.forReduction(k + 4, 1.0);
            tol.assertClose(toString(), expected.all(), c.all());
        }
    }

    private void run(Arena arena, Mat a, Mat b, Mat c, Epilogue ep, WorkerPool pool, GemmWorkspace ws) {
        switch (operands) {
            case PACKED_A_PACKER -> Sgemm.gemm(PackedA.pack(a.seg(), a.off(), a.rs(), a.cs(), m, k, arena),
                    new StridedBPacker(b.seg(), b.off(), b.rs(), b.cs()), n,
                    c.seg(), c.off(), c.rs(), c.cs(), accumulate, ep, ws, pool);
            case PACKED_A_PACKED_B -> Sgemm.gemm(PackedA.pack(a.seg(), a.off(), a.rs(), a.cs(), m, k, arena),
                    PackedB.pack(b.seg(), b.off(), b.rs(), b.cs(), k, n, arena),
                    c.seg(), c.off(), c.rs(), c.cs(), accumulate, ep, ws, pool);
            case PLAIN -> Sgemm.gemm(m, n, k, a.seg(), a.off(), a.rs(), a.cs(), b.seg(), b.off(), b.rs(), b.cs(),
                    c.seg(), c.off(), c.rs(), c.cs(), accumulate, ep, ws, pool);
        }
    }

    @Override
    public String toString() {
        return "GEMM " + m + "x" + n + "x" + k + (ints ? " ints" : "") + " A " + aLayout + " B " + bLayout
                + " C " + cLayout + " " + operands + (accumulate ? " C+=" : " C=") + (rowBias ? " rowBias" : "")
                + (colBias ? " colBias" : "") + (residual ? " residual " + rLayout : "") + " clamp [" + lo + ", "
                + hi + "] threads " + threads + " (" + GemmConfig.describe() + ")";
    }
}
