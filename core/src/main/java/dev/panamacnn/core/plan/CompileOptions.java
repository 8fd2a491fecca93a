package dev.panamacnn.core.plan;

import dev.panamacnn.core.exec.WorkerPool;

/**
 * How to compile: the backend, the intra-op thread count (1 = run on the caller's thread) or a
 * caller-owned pool to share between models, and how many runs may execute at once (each
 * concurrent run needs its own execution context: workspace plus scratch).
 */
public record CompileOptions(Backend backend, int threads, WorkerPool pool, int maxConcurrentRuns) {

    public CompileOptions {
        if (backend == null) throw new IllegalArgumentException("backend must not be null");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (pool != null && pool.threads() != threads) {
            throw new IllegalArgumentException("pool has " + pool.threads() + " threads, options say " + threads);
        }
        if (maxConcurrentRuns < 1) {
            throw new IllegalArgumentException("maxConcurrentRuns must be >= 1, got " + maxConcurrentRuns);
        }
    }

    /** One thread, up to as many concurrent runs as there are cores. */
    public static CompileOptions of(Backend backend) {
        return new CompileOptions(backend, 1, null, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public CompileOptions threads(int t) {
        return new CompileOptions(backend, t, null, maxConcurrentRuns);
    }

    /** Share a caller-owned pool (not closed by the model). */
    public CompileOptions pool(WorkerPool p) {
        return new CompileOptions(backend, p.threads(), p, maxConcurrentRuns);
    }

    public CompileOptions maxConcurrentRuns(int n) {
        return new CompileOptions(backend, threads, pool, n);
    }
}
