package dev.panamacnn.simd.gemm;

import static dev.panamacnn.simd.gemm.GemmConfig.KC;
import static dev.panamacnn.simd.gemm.GemmConfig.LANES;
import static dev.panamacnn.simd.gemm.GemmConfig.MR;
import static dev.panamacnn.simd.gemm.GemmConfig.NC;
import static dev.panamacnn.simd.gemm.GemmConfig.NR;

import dev.panamacnn.core.exec.ParallelTask;
import dev.panamacnn.core.exec.WorkerPool;
import java.lang.foreign.MemorySegment;

/**
 * The loops around the micro-kernel, for one call whose state the entry points set in the fields.
 *
 * <p>C is cut into a grid of tasks (blocks of N panels × blocks of M panels), one
 * {@link ParallelTask} index each. Inside a task, for each N block of at most NC columns and each
 * K block of at most KC: pack B[k block × n block] into the worker's buffer (L2-resident), then
 * for every A micro-panel (kc × MR, stays in L1) sweep all B micro-panels (streamed from L2) with
 * the micro-kernel (when threads split M, all of B is packed once first and shared instead). The
 * K blocking never depends on the grid, and a K reduction is never split
 * between tasks, so every C element sees the same float operations for every thread count.
 */
final class GemmDriver implements ParallelTask {
    static final int B_PACKED = 0, B_PACKER = 1, B_STRIDED = 2;
    private static final int NC_PANELS = NC / NR;

    private final GemmWorkspace ws;
    // A: packed panels (see PackedA).
    MemorySegment a;
    long aBase;
    int m, n, k;
    // B: packed once, a packer, or a strided matrix packed here.
    int bMode;
    MemorySegment b;
    long bOff, bRs, bCs;
    BPacker packer;
    // C and the epilogue (null when it is the identity).
    MemorySegment c;
    long cOff, cRs, cCs;
    boolean accumulate;
    Epilogue epilogue;
    // Task grid.
    private int mBlocks, nBlocks, mPanels, nPanels;
    // Packing all of B first (multi-threaded, few columns).
    private MemorySegment packedWholeB;
    private final ParallelTask packPanel = (q, worker) -> packPanel(q);

    GemmDriver(GemmWorkspace ws) {
        this.ws = ws;
    }

    /** Chooses the task grid for {@code threads} and runs every task on {@code pool}. */
    void execute(WorkerPool pool) {
        int threads = pool.threads();
        mPanels = (m + MR - 1) / MR;
        nPanels = (n + NR - 1) / NR;
        int minNBlocks = (nPanels + NC_PANELS - 1) / NC_PANELS;
        if (threads == 1) {
            nBlocks = minNBlocks;
            mBlocks = 1;
        } else if (nPanels >= 4 * threads) {
            // Enough columns: split N only (equal panel counts), so B is packed once overall. About
            // four tasks per thread, claimed dynamically, keep threads busy when one is slowed down
            // (a shared host); smaller N blocks only re-read the A panels more often.
            int tasks = Math.max(minNBlocks, 4 * threads);
            nBlocks = Math.min(nPanels, (tasks + threads - 1) / threads * threads);
            mBlocks = 1;
        } else {
            // Few columns (late CNN layers): split M. B is packed once, whole, by all threads (a
            // task per panel) and then shared, rather than re-packed by every M block.
            nBlocks = minNBlocks;
            mBlocks = Math.min(mPanels, 4 * threads);
        }
        try {
            if (mBlocks > 1 && bMode != B_PACKED) packWholeB(pool);
            pool.run(nBlocks * mBlocks, this);
        } finally {
            a = b = c = packedWholeB = null;
            packer = null;
            epilogue = null;
        }
    }

    /** Packs all of B into the workspace in the {@link PackedB} layout and switches to it. */
    private void packWholeB(WorkerPool pool) {
        packedWholeB = ws.wholeB(PackedB.bytes(k, n));
        pool.run(nPanels, packPanel);
        bMode = B_PACKED;
        b = packedWholeB;
        bOff = 0;
    }

    /** Panel q of B over all of K, at its {@link PackedB} place. */
    private void packPanel(int q) {
        int n0 = q * NR, nc = Math.min(NR, n - n0);
        long dst = (long) q * k * NR * 4;
        if (bMode == B_PACKER) {
            packer.pack(0, k, n0, nc, packedWholeB, dst);
        } else {
            Packing.packB(b, bOff, bRs, bCs, 0, k, n0, nc, packedWholeB, dst);
        }
    }

    @Override
    public void run(int task, int worker) {
        int mb = task % mBlocks, nb = task / mBlocks;
        int p0 = (int) ((long) mb * mPanels / mBlocks), p1 = (int) ((long) (mb + 1) * mPanels / mBlocks);
        int q0 = (int) ((long) nb * nPanels / nBlocks), q1 = (int) ((long) (nb + 1) * nPanels / nBlocks);
        for (int qs = q0; qs < q1; qs += NC_PANELS) {
            int qe = Math.min(q1, qs + NC_PANELS);
            block(p0, p1, qs, qe, worker);
        }
    }

    /**
     * An edge tile into the scratch tile, computing only as many vectors as its columns need and
     * a remainder of up to {@link ColumnKernel#MAX_COLUMNS} columns with vectors along M.
     */
    private void partialTile(long aOff, MemorySegment bp, long bOff, int kc, int cols, MemorySegment tile) {
        int vectors = cols / LANES, rest = cols % LANES;
        if (rest > 0 && (rest > ColumnKernel.MAX_COLUMNS || !ColumnKernel.AVAILABLE)) {
            vectors++;
            rest = 0;
        }
        if (vectors == 2) {
            MicroKernel.run(a, aOff, bp, bOff, kc, tile, 0, (long) NR * 4);
        } else if (vectors == 1) {
            MicroKernel.runHalf(a, aOff, bp, bOff, kc, tile, 0, (long) NR * 4);
        }
        for (int j = vectors * LANES; j < vectors * LANES + rest; j++) {
            ColumnKernel.run(a, aOff, bp, bOff, kc, j, tile, GemmWorkspace.TILE_COLUMN_OFFSET);
        }
    }

    /** A panels [p0, p1) × B panels [q0, q1), q1 − q0 ≤ NC/NR, over all of K. */
    private void block(int p0, int p1, int q0, int q1, int worker) {
        int n0 = q0 * NR, nc = Math.min(q1 * NR, n) - n0;
        MemorySegment tile = ws.tiles[worker];
        long aPanelBytes = (long) k * MR * 4;
        // Equal K blocks (576 = 288 + 288, not 256 + 256 + 64): a short last block would pay the
        // per-tile overheads on little work.
        int kBlock = (k + (k + KC - 1) / KC - 1) / ((k + KC - 1) / KC);
        for (int pc = 0; pc < k; pc += kBlock) {
            int kc = Math.min(kBlock, k - pc);
            MemorySegment bp;
            long bBase, bPanelBytes;
            if (bMode == B_PACKED) {
                bp = b;
                bPanelBytes = (long) k * NR * 4;
                bBase = bOff + q0 * bPanelBytes + (long) pc * NR * 4;
            } else {
                bp = ws.bBlocks[worker];
                bBase = 0;
                bPanelBytes = (long) kc * NR * 4;
                if (bMode == B_PACKER) {
                    packer.pack(pc, kc, n0, nc, bp, 0);
                } else {
                    Packing.packB(b, bOff, bRs, bCs, pc, kc, n0, nc, bp, 0);
                }
            }
            boolean add = accumulate || pc > 0;
            boolean last = pc + kc == k;
            for (int p = p0; p < p1; p++) {
                int i0 = p * MR, rows = Math.min(MR, m - i0);
                long aOff = aBase + p * aPanelBytes + (long) pc * MR * 4;
                for (int q = q0; q < q1; q++) {
                    int j0 = q * NR, cols = Math.min(NR, n - j0);
                    long bOffQ = bBase + (q - q0) * bPanelBytes;
                    long cTile = cOff + i0 * cRs + j0 * cCs;
                    if (rows == MR && cols == NR && cCs == 1) {
                        if (add) {
                            MicroKernel.run(a, aOff, bp, bOffQ, kc, tile, 0, (long) NR * 4);
                            TileOps.addTile(tile, c, cTile, cRs);
                        } else {
                            MicroKernel.run(a, aOff, bp, bOffQ, kc, c, cTile * 4, cRs * 4);
                        }
                        if (last && epilogue != null) TileOps.epilogueFull(epilogue, c, cTile, cRs, i0, j0);
                    } else {
                        partialTile(aOff, bp, bOffQ, kc, cols, tile);
                        TileOps.storeTile(tile, c, cTile, cRs, cCs, rows, cols, add);
                        if (last && epilogue != null) {
                            TileOps.epilogue(epilogue, c, cTile, cRs, cCs, i0, j0, rows, cols);
                        }
                    }
                }
            }
        }
    }
}
