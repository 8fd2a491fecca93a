package dev.panamacnn.core.plan;

import dev.panamacnn.core.exec.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The mutable memory of one run of a compiled model: the planned workspace (activations), the
 * per-thread scratch (packing buffers) and, during a run, the caller's input and output.
 *
 * <p>One context serves one run at a time; a compiled model keeps a small pool of them so that
 * concurrent callers never share one. All memory is allocated and touched when the context is
 * created, so runs allocate nothing.
 */
public final class ExecutionContext implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment workspace;
    private final MemorySegment[] scratch;
    private final WorkerPool pool;
    private MemorySegment input;
    private MemorySegment output;

    ExecutionContext(long workspaceBytes, long scratchBytesPerThread, WorkerPool pool) {
        this.pool = pool;
        // Arena.allocate zero-fills, which touches every page now rather than on the first run.
        this.workspace = arena.allocate(Math.max(64, workspaceBytes), 64);
        this.scratch = new MemorySegment[pool.threads()];
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = arena.allocate(Math.max(64, scratchBytesPerThread), 64);
        }
    }

    /** The segment a buffer reference points into (offsets are applied by the kernel). */
    public MemorySegment segment(BufferRef ref) {
        return switch (ref.kind()) {
            case INPUT -> input;
            case OUTPUT -> output;
            case WORKSPACE -> workspace;
        };
    }

    public MemorySegment workspace() {
        return workspace;
    }

    /** Scratch memory reserved for worker {@code worker} of {@link #pool()}. */
    public MemorySegment scratch(int worker) {
        return scratch[worker];
    }

    public WorkerPool pool() {
        return pool;
    }

    void bind(MemorySegment in, MemorySegment out) {
        this.input = in;
        this.output = out;
    }

    @Override
    public void close() {
        arena.close();
    }
}
