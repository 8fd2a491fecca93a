package dev.panamacnn.simd;

import dev.panamacnn.core.exec.ParallelTask;
import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Kernel;

/**
 * A kernel whose work splits into {@code units} independent pieces (planes, rows, images):
 * runs them on the context's pool in contiguous chunks, or on the caller's thread when the op
 * is too small to be worth waking workers. Each output is computed by exactly one chunk, so
 * results never depend on the thread count. Nothing is allocated per run.
 */
abstract class RangeKernel implements Kernel {
    /** Below this many elements of work a chunk costs more to hand out than to compute. */
    private static final long MIN_WORK_PER_TASK = 16_384;

    private final int units;
    private final long workPerUnit;

    RangeKernel(int units, long workPerUnit) {
        this.units = units;
        this.workPerUnit = Math.max(1, workPerUnit);
    }

    /** Computes units {@code [from, to)}; {@code worker} indexes per-thread scratch. */
    abstract void compute(ExecutionContext ctx, int from, int to, int worker);

    @Override
    public Runnable bind(ExecutionContext ctx) {
        return new Runner(ctx);
    }

    private final class Runner implements Runnable, ParallelTask {
        private final ExecutionContext ctx;
        private final int tasks;

        Runner(ExecutionContext ctx) {
            this.ctx = ctx;
            int threads = ctx.pool().threads();
            long byWork = units * workPerUnit / MIN_WORK_PER_TASK;
            // One thread: one task, so that a kernel sees its whole range of units at once.
            this.tasks = threads == 1 ? 1 : (int) Math.max(1, Math.min(units, Math.min(byWork, 4L * threads)));
        }

        @Override
        public void run() {
            if (tasks == 1) compute(ctx, 0, units, 0);
            else ctx.pool().run(tasks, this);
        }

        @Override
        public void run(int task, int worker) {
            int from = (int) ((long) task * units / tasks);
            int to = (int) ((long) (task + 1) * units / tasks);
            if (from < to) compute(ctx, from, to, worker);
        }
    }
}
