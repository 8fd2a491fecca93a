package dev.panamacnn.core.plan;

/**
 * One prepared operation of a compiled model, made by a {@link Backend} at compile time. It owns
 * its immutable data (packed weights) and is shared by every execution context.
 */
public interface Kernel {

    /** Per-thread scratch bytes the kernel needs while it runs (e.g. GEMM packing buffers). */
    default long scratchBytesPerThread() {
        return 0;
    }

    /**
     * A runner bound to one context: {@code run()} computes the op on that context's buffers.
     * Called once per context at compile time, so runners may hold per-context state and
     * implement {@link dev.panamacnn.core.exec.ParallelTask} without allocating per run.
     */
    Runnable bind(ExecutionContext ctx);

    /** Releases native memory the kernel owns (packed weights); called when the model closes. */
    default void close() {}
}
