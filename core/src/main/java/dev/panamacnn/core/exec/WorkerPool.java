package dev.panamacnn.core.exec;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool for intra-op parallelism: {@code threads − 1} daemon workers plus the calling
 * thread, which always takes part. {@code threads = 1} runs everything on the caller's thread.
 * No thread is created per call and {@link #run} allocates nothing.
 *
 * <p>Tasks are claimed dynamically from a shared counter. If another thread is already using
 * the pool, the caller runs all tasks itself instead of waiting (results do not depend on the
 * thread count, see {@link ParallelTask}).
 */
public final class WorkerPool implements AutoCloseable {
    /** A pool of one: the caller's thread. */
    public static final WorkerPool SERIAL = new WorkerPool(1);
    private static final int SPIN_BEFORE_PARK = 1 << 14;

    private final int threads;
    private final Thread[] workers;
    private final AtomicInteger busy = new AtomicInteger();
    /** (generation << 32) | next task index: a claim is only valid within its own run. */
    private final AtomicLong cursor = new AtomicLong();
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile ParallelTask task;
    private volatile int count;
    private volatile int generation;
    private volatile Thread caller;
    private volatile boolean closed;
    private volatile Throwable failure;

    private WorkerPool(int threads) {
        this.threads = threads;
        this.workers = new Thread[threads - 1];
    }

    /** A pool of {@code threads} threads in all (the caller counts as one). */
    public static WorkerPool create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        }
        if (threads == 1) return SERIAL;
        WorkerPool p = new WorkerPool(threads);
        for (int i = 0; i < p.workers.length; i++) {
            int id = i + 1;
            Thread t = new Thread(() -> p.workerLoop(id), "panama-cnn-worker-" + id);
            t.setDaemon(true);
            p.workers[i] = t;
            t.start();
        }
        return p;
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code task} for every index in {@code [0, count)} and returns when all are done. */
    public void run(int count, ParallelTask task) {
        if (count <= 0) return;
        if (threads == 1 || count == 1 || !busy.compareAndSet(0, 1)) {
            for (int i = 0; i < count; i++) task.run(i, 0);
            return;
        }
        try {
            if (closed) throw new IllegalStateException("worker pool is closed");
            int gen = generation + 1;
            // The cursor moves to the new generation before the new task and count are written:
            // a worker still holding the previous generation and task, but reading the new (larger)
            // count, could otherwise claim an index past the previous run's end, run the previous
            // task with it and decrement this run's counter, so this run returned early.
            cursor.set((long) gen << 32);
            this.task = task;
            this.count = count;
            this.failure = null;
            this.caller = Thread.currentThread();
            remaining.set(count);
            generation = gen; // publishes the fields above to the workers
            for (Thread w : workers) LockSupport.unpark(w);
            work(task, count, 0, gen);
            // The workers' last tasks usually end within microseconds of the caller's: spin
            // first, as they do, since waking a parked caller costs tens of microseconds here.
            for (int spin = 0; remaining.get() > 0 && spin < SPIN_BEFORE_PARK; spin++) {
                Thread.onSpinWait();
            }
            while (remaining.get() > 0) {
                LockSupport.parkNanos(this, 50_000);
            }
            this.task = null;
            Throwable f = failure;
            if (f != null) {
                if (f instanceof RuntimeException re) throw re;
                if (f instanceof Error e) throw e;
                throw new IllegalStateException(f);
            }
        } finally {
            busy.set(0);
        }
    }

    private void work(ParallelTask t, int n, int worker, int gen) {
        while (true) {
            long c = cursor.get();
            int i = (int) c;
            if ((int) (c >>> 32) != gen || i >= n) return;
            if (!cursor.compareAndSet(c, c + 1)) continue;
            try {
                t.run(i, worker);
            } catch (Throwable e) {
                failure = e;
            } finally {
                if (remaining.decrementAndGet() == 0) {
                    Thread waiting = caller;
                    if (waiting != null) LockSupport.unpark(waiting);
                }
            }
        }
    }

    private void workerLoop(int id) {
        int seen = 0;
        while (!closed) {
            int g = generation;
            // Spin briefly before parking: layers follow each other within microseconds.
            for (int spin = 0; g == seen && spin < SPIN_BEFORE_PARK; spin++) {
                Thread.onSpinWait();
                g = generation;
            }
            if (g == seen) {
                LockSupport.park(this);
                continue;
            }
            seen = g;
            ParallelTask t = task;
            int n = count;
            if (t != null) work(t, n, id, g);
        }
    }

    /** Stops the workers. Idempotent; the shared {@link #SERIAL} pool is never closed. */
    @Override
    public void close() {
        if (this == SERIAL || closed) return;
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
