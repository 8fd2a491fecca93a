package dev.panamacnn.opencl;

import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Kernel;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A prepared OpenCL operation: one kernel function of a cached program, its NDRange, how to set
 * its arguments for a context, and the device buffers it owns (weights), released on close.
 * Binding creates the context's kernel object and sets every argument once; the runner only
 * enqueues. It is a user of the shared context until it closes, so a model keeps its context
 * (and programs) alive even after its backend closed.
 */
final class ClKernel implements Kernel {

    /** Sets the arguments, in declaration order, for one context's workspace. */
    interface Args {
        void set(Launch launch, DeviceWorkspace ws);
    }

    private final ClContext cl;
    private final MemorySegment program;
    private final String name;
    private final long[] global;
    private final long[] local;
    private final Args args;
    private final List<MemorySegment> owned;
    private boolean closed;

    ClKernel(ClContext cl, MemorySegment program, String name, long[] global, long[] local, Args args,
             List<MemorySegment> owned) {
        this.cl = cl;
        this.program = program;
        this.name = name;
        this.global = global.clone();
        this.local = local.clone();
        this.args = args;
        this.owned = List.copyOf(owned);
        try {
            cl.retain();
        } catch (RuntimeException e) {
            this.owned.forEach(Cl::releaseMem);
            throw e;
        }
    }

    /** A 1-D launch over {@code items} work-items in groups of {@code local}. */
    static long[][] grid1d(long items, int local) {
        long groups = Math.max(1, (items + local - 1) / local);
        return new long[][] {{groups * local}, {local}};
    }

    @Override
    public Runnable bind(ExecutionContext ctx) {
        DeviceWorkspace ws = DeviceWorkspace.of(ctx, cl);
        Launch launch = ws.launch(program, name, global, local);
        args.set(launch, ws);
        return launch;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            owned.forEach(Cl::releaseMem);
        } finally {
            cl.release();
        }
    }
}
