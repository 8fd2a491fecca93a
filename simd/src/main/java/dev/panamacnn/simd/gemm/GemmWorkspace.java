package dev.panamacnn.simd.gemm;

import static dev.panamacnn.simd.gemm.GemmConfig.KC;
import static dev.panamacnn.simd.gemm.GemmConfig.MR;
import static dev.panamacnn.simd.gemm.GemmConfig.NC;
import static dev.panamacnn.simd.gemm.GemmConfig.NR;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The scratch memory of the GEMM, allocated once: for each of {@code threads} workers a packed B
 * block (KC × NC floats, 768 KiB with the default blocking) and an MR × NR edge tile, plus buffers
 * for packing a plain A operand and, in multi-threaded calls with few columns, all of B, which
 * grow to the largest seen (so only warm-up calls allocate). All memory
 * is native, 64-byte aligned and touched at creation.
 *
 * <p>One GEMM at a time per workspace: it also holds the call's state, so that running a GEMM
 * allocates nothing on the Java heap. Use one workspace per concurrent caller.
 */
public final class GemmWorkspace implements AutoCloseable {
    /** Byte offset, in each scratch tile, of the vector whose first MR floats {@link ColumnKernel} makes a column. */
    static final long TILE_COLUMN_OFFSET = (long) MR * NR * 4;
    private final int threads;
    private final Arena arena = Arena.ofShared();
    final MemorySegment[] bBlocks;
    final MemorySegment[] tiles;
    final GemmDriver driver;
    private final Growable packedA = new Growable();
    private final Growable wholeB = new Growable();
    private boolean closed;

    private GemmWorkspace(int threads) {
        this.threads = threads;
        bBlocks = new MemorySegment[threads];
        tiles = new MemorySegment[threads];
        for (int t = 0; t < threads; t++) {
            bBlocks[t] = arena.allocate((long) KC * NC * 4, 64); // zeroed, hence touched
            tiles[t] = arena.allocate(TILE_COLUMN_OFFSET + GemmConfig.LANES * 4, 64);
        }
        driver = new GemmDriver(this);
    }

    /** A workspace for GEMMs run by a {@link dev.panamacnn.core.exec.WorkerPool} of up to {@code threads}. */
    public static GemmWorkspace create(int threads) {
        Checks.positive("threads", threads);
        return new GemmWorkspace(threads);
    }

    public int threads() {
        return threads;
    }

    /** A buffer of at least {@code bytes} for packing a plain A; reallocated only to grow. */
    MemorySegment aBuffer(long bytes) {
        checkOpen();
        return packedA.atLeast(bytes);
    }

    /** A buffer of at least {@code bytes} for all of B, shared by the threads of one call. */
    MemorySegment wholeB(long bytes) {
        checkOpen();
        return wholeB.atLeast(bytes);
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("GEMM workspace is closed");
    }

    /** Frees all memory. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        packedA.close();
        wholeB.close();
        arena.close();
    }

    /** Native memory that is replaced (and the old freed) only when a call needs more. */
    private static final class Growable {
        private Arena arena;
        private MemorySegment segment;

        MemorySegment atLeast(long bytes) {
            if (segment == null || segment.byteSize() < bytes) {
                close();
                arena = Arena.ofShared();
                segment = arena.allocate(bytes, 64);
            }
            return segment;
        }

        void close() {
            if (arena != null) arena.close();
            arena = null;
            segment = null;
        }
    }
}
