package dev.panamacnn.core.plan;

import dev.panamacnn.core.exec.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The mutable memory of one run of a compiled model: the planned workspace (input, activations,
 * output) and the per-thread scratch (packing buffers).
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
    private final java.util.Map<Object, AutoCloseable> resources = new java.util.HashMap<>();

    ExecutionContext(long workspaceBytes, long scratchBytesPerThread, WorkerPool pool) {
        this.pool = pool;
        // Arena.allocate zero-fills, which touches every page now rather than on the first run.
        this.workspace = arena.allocate(Math.max(64, workspaceBytes), 64);
        this.scratch = new MemorySegment[pool.threads()];
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = arena.allocate(Math.max(64, scratchBytesPerThread), 64);
        }
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

    /**
     * A backend resource shared by all kernels of this context (e.g. GEMM packing buffers),
     * created on first request. Call at bind time only; closed with the context.
     */
    public <T extends AutoCloseable> T resource(Class<T> type, java.util.function.Supplier<T> factory) {
        return type.cast(resources.computeIfAbsent(type, k -> factory.get()));
    }

    /**
     * A resource that a kernel created with {@link #resource} at bind time, for use while running:
     * a plain lookup that allocates nothing and is safe from every worker thread.
     *
     * @throws IllegalStateException if no kernel created it
     */
    public <T extends AutoCloseable> T boundResource(Class<T> type) {
        Object r = resources.get(type);
        if (r == null) throw new IllegalStateException(type.getSimpleName() + " was not created at bind time");
        return type.cast(r);
    }

    @Override
    public void close() {
        for (AutoCloseable r : resources.values()) {
            try {
                r.close();
            } catch (Exception e) {
                throw new IllegalStateException("failed to close " + r, e);
            }
        }
        resources.clear();
        arena.close();
    }
}
