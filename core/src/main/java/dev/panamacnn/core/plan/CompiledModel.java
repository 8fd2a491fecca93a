package dev.panamacnn.core.plan;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.exec.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * An executable plan for one input shape: immutable prepared kernels plus a small pool of
 * execution contexts (workspace and scratch), so that it can be called from many threads at
 * once. After warm-up, {@link #run(Tensor, Tensor)} allocates nothing, on or off the heap.
 *
 * <p>Results do not depend on the thread count or on which context serves a call: kernels
 * split work by output tiles and never split a reduction.
 */
public final class CompiledModel implements AutoCloseable {
    private final Shape inputShape;
    private final Shape outputShape;
    private final List<Kernel> kernels;
    private final List<String> steps;
    private final long workspaceBytes;
    private final BufferRef inputSlot;
    private final BufferRef outputSlot;
    private final long scratchBytes;
    private final WorkerPool pool;
    private final boolean ownsPool;
    private final AtomicReferenceArray<Context> idle;
    private final AtomicInteger created = new AtomicInteger();
    private volatile boolean closed;

    /** One execution context with its kernels bound to it. Hold one to call without the pool. */
    public static final class Context implements AutoCloseable {
        private final ExecutionContext ctx;
        private final Runnable[] runners;

        private Context(ExecutionContext ctx, Runnable[] runners) {
            this.ctx = ctx;
            this.runners = runners;
        }

        @Override
        public void close() {
            ctx.close();
        }
    }

    CompiledModel(Shape inputShape, Shape outputShape, List<Kernel> kernels, List<String> steps,
                  BufferPlanner.Layout layout, CompileOptions options) {
        this.inputShape = inputShape;
        this.outputShape = outputShape;
        this.kernels = List.copyOf(kernels);
        this.steps = List.copyOf(steps);
        this.workspaceBytes = layout.workspaceBytes();
        this.inputSlot = layout.input();
        this.outputSlot = layout.output();
        long scratch = 0;
        for (Kernel k : kernels) scratch = Math.max(scratch, k.scratchBytesPerThread());
        this.scratchBytes = scratch;
        this.ownsPool = options.pool() == null;
        this.pool = ownsPool ? WorkerPool.create(options.threads()) : options.pool();
        this.idle = new AtomicReferenceArray<>(options.maxConcurrentRuns());
        idle.set(0, newContext()); // the first context is ready (and its pages touched) now
    }

    /** A new execution context, for callers who keep one per thread and pass it to {@link #run(Context, Tensor, Tensor)}. */
    public Context newContext() {
        checkOpen();
        ExecutionContext ctx = new ExecutionContext(workspaceBytes, scratchBytes, pool);
        Runnable[] runners = new Runnable[kernels.size()];
        for (int i = 0; i < runners.length; i++) runners[i] = kernels.get(i).bind(ctx);
        created.incrementAndGet();
        return new Context(ctx, runners);
    }

    /** Runs on {@code input} and writes {@code output}; both shapes must be exactly the plan's. */
    public void run(Tensor input, Tensor output) {
        checkShapes(input, output);
        Context c = acquire();
        try {
            execute(c, input, output);
        } finally {
            release(c);
        }
    }

    /** Runs with a caller-held context (one run at a time per context). */
    public void run(Context context, Tensor input, Tensor output) {
        checkShapes(input, output);
        execute(context, input, output);
    }

    /** Allocating convenience: returns a new output tensor in {@code arena}. */
    public Tensor run(Tensor input, Arena arena) {
        Tensor out = Tensor.allocate(arena, outputShape);
        run(input, out);
        return out;
    }

    private void execute(Context c, Tensor input, Tensor output) {
        checkOpen();
        MemorySegment ws = c.ctx.workspace();
        MemorySegment.copy(input.segment(), 0, ws, inputSlot.byteOffset(), input.size() * Float.BYTES);
        for (Runnable r : c.runners) r.run();
        MemorySegment.copy(ws, outputSlot.byteOffset(), output.segment(), 0, output.size() * Float.BYTES);
    }

    /** Median wall time of one planned step over a profiling run (see {@link #profile}). */
    public record StepTime(String step, double medianMicros) {}

    /**
     * Runs {@code iterations} times on {@code input}, timing every planned step on its own, and
     * returns each step's median: where a run's time goes, for tuning. Not for serving: the
     * per-step clock reads cost a little and the results are allocated.
     */
    public List<StepTime> profile(Tensor input, int iterations) {
        if (!input.shape().equals(inputShape)) {
            throw new IllegalArgumentException("input shape expected " + inputShape + ", got " + input.shape());
        }
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        Context c = acquire();
        try {
            checkOpen();
            long[][] nanos = new long[c.runners.length][iterations];
            MemorySegment ws = c.ctx.workspace();
            for (int it = 0; it < iterations; it++) {
                MemorySegment.copy(input.segment(), 0, ws, inputSlot.byteOffset(), input.size() * Float.BYTES);
                for (int i = 0; i < c.runners.length; i++) {
                    long t0 = System.nanoTime();
                    c.runners[i].run();
                    nanos[i][it] = System.nanoTime() - t0;
                }
            }
            List<StepTime> out = new ArrayList<>(c.runners.length);
            for (int i = 0; i < c.runners.length; i++) {
                Arrays.sort(nanos[i]);
                out.add(new StepTime(steps.get(i), nanos[i][iterations / 2] / 1e3));
            }
            return out;
        } finally {
            release(c);
        }
    }

    private void checkShapes(Tensor input, Tensor output) {
        if (!input.shape().equals(inputShape)) {
            throw new IllegalArgumentException("input shape expected " + inputShape + ", got " + input.shape());
        }
        if (!output.shape().equals(outputShape)) {
            throw new IllegalArgumentException("output shape expected " + outputShape + ", got " + output.shape());
        }
    }

    private Context acquire() {
        while (true) {
            for (int i = 0; i < idle.length(); i++) {
                Context c = idle.getAndSet(i, null);
                if (c != null) return c;
            }
            if (created.get() < idle.length()) {
                synchronized (this) { // rare: only when concurrency grows
                    if (created.get() < idle.length()) return newContext();
                }
            }
            Thread.onSpinWait();
        }
    }

    private void release(Context c) {
        for (int i = 0; i < idle.length(); i++) {
            if (idle.compareAndSet(i, null, c)) return;
        }
        c.close(); // cannot happen: never more contexts than slots
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("compiled model is closed");
    }

    public Shape inputShape() {
        return inputShape;
    }

    public Shape outputShape() {
        return outputShape;
    }

    /** The planned steps after fusion, one line each (for diagnostics and tests). */
    public List<String> steps() {
        return steps;
    }

    public long workspaceBytes() {
        return workspaceBytes;
    }

    /** Execution contexts created so far (grows only with concurrency; never per run). */
    public int contextsCreated() {
        return created.get();
    }

    public int threads() {
        return pool.threads();
    }

    /** Frees packed weights and idle contexts, and stops an owned pool. Not while runs are in flight. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (int i = 0; i < idle.length(); i++) {
            Context c = idle.getAndSet(i, null);
            if (c != null) c.close();
        }
        kernels.forEach(Kernel::close);
        if (ownsPool) pool.close();
    }
}
