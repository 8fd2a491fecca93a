package dev.panamacnn.core.exec;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool for intra-op parallelism: {@code threads − 1} daemon workers plus the calling
 * thread, which always takes part. {@code threads = 1} runs everything on the caller's thread.
 * No thread is created per call and {@link #run} allocates nothing.
 *
 * <p>Each thread owns a contiguous share of a run's task indices, the same share in every run
 * (the caller the first, worker {@code t} the {@code t}-th), and takes its own tasks from the
 * front; a thread that runs out takes other threads' remaining tasks from the back. The fixed
 * shares keep data with the thread that wrote it: a layer whose tasks are rows of output reads
 * mostly the rows its own thread wrote in the layer before. That matters when the two cores are
 * far apart: on this host the same cache line passes between the two vCPUs in ~35 ns at some
 * times and ~175 ns at others. With tasks claimed in any order, ResNet-18 at two threads ran
 * ~12 % slower in the far periods than in the near ones; with fixed shares, and kernels and a
 * buffer plan that keep to them, ~3 % (see BENCHMARKS.md).
 *
 * <p>If another thread is already using the pool, the caller runs all tasks itself instead of
 * waiting (results do not depend on the thread count, see {@link ParallelTask}).
 */
public final class WorkerPool implements AutoCloseable {
    /** A pool of one: the caller's thread. */
    public static final WorkerPool SERIAL = new WorkerPool(1);
    private static final int SPIN_BEFORE_PARK = 1 << 14;
    /** A share is (generation << 40) | (front << 20) | back, so that one CAS claims a task. */
    private static final int INDEX_BITS = 20;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    /** The most task indices one round hands out; larger runs go in rounds of this many. */
    static final int MAX_ROUND = (int) INDEX_MASK;
    private static final int GENERATION_MASK = (1 << 24) - 1;
    /** Shares 128 bytes apart, so that owners claiming their own tasks share no cache line. */
    private static final int SLOT = 16;

    private final int threads;
    private final Thread[] workers;
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicLongArray shares;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile ParallelTask task;
    private volatile int offset; // added to the indices of the current round
    private volatile int generation;
    private volatile Thread caller;
    private volatile boolean closed;
    private volatile Throwable failure;

    private WorkerPool(int threads) {
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.shares = new AtomicLongArray(threads * SLOT);
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

    /**
     * Runs {@code task} for every index in {@code [0, count)} and returns when all are done. A
     * task's exception is rethrown once the other tasks of its round have finished; the rounds
     * of {@link #MAX_ROUND} tasks that a longer run is cut into do not start after it.
     */
    public void run(int count, ParallelTask task) {
        if (count <= 0) return;
        if (threads == 1 || count == 1 || !busy.compareAndSet(0, 1)) {
            for (int i = 0; i < count; i++) task.run(i, 0);
            return;
        }
        try {
            if (closed) throw new IllegalStateException("worker pool is closed");
            for (long from = 0; from < count; from += MAX_ROUND) { // long: no wrap near Integer.MAX_VALUE
                round(task, (int) from, (int) Math.min(MAX_ROUND, count - from));
            }
        } finally {
            busy.set(0);
        }
    }

    private void round(ParallelTask task, int from, int count) {
        int gen = generation + 1;
        long tag = (long) (gen & GENERATION_MASK) << (2 * INDEX_BITS);
        // The shares carry the new generation before the new task is written: a worker still in
        // the previous round can then claim nothing of this one and run the previous task with it.
        for (int t = 0; t < threads; t++) {
            long front = (long) t * count / threads, back = (long) (t + 1) * count / threads;
            shares.set(t * SLOT, tag | front << INDEX_BITS | back);
        }
        this.task = task;
        this.offset = from;
        this.failure = null;
        this.caller = Thread.currentThread();
        remaining.set(count);
        generation = gen; // publishes the fields above to the workers
        for (Thread w : workers) LockSupport.unpark(w);
        work(task, from, 0, gen);
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
    }

    /** Runs this thread's own share from the front, then what is left of the others' from the back. */
    private void work(ParallelTask t, int from, int self, int gen) {
        int done = 0;
        long tag = gen & GENERATION_MASK;
        for (int k = 0; k < threads; k++) {
            int slot = ((self + k) % threads) * SLOT;
            boolean own = k == 0;
            while (true) {
                long s = shares.get(slot);
                int front = (int) (s >>> INDEX_BITS & INDEX_MASK), back = (int) (s & INDEX_MASK);
                if (s >>> (2 * INDEX_BITS) != tag || front >= back) break;
                if (!shares.compareAndSet(slot, s, own ? s + (1L << INDEX_BITS) : s - 1)) continue;
                try {
                    t.run(from + (own ? front : back - 1), self);
                } catch (Throwable e) {
                    failure = e;
                }
                done++;
            }
        }
        if (done > 0 && remaining.addAndGet(-done) == 0) {
            Thread waiting = caller;
            if (waiting != null) LockSupport.unpark(waiting);
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
            int from = offset;
            if (t != null) work(t, from, id, g);
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
