package dev.panamacnn.opencl;

import dev.panamacnn.core.plan.ExecutionContext;
import dev.panamacnn.core.plan.Kernel;
import dev.panamacnn.core.plan.Ops;
import java.lang.foreign.MemorySegment;

/** Moves between slots of the device workspace, and between the host and device workspaces. */
final class TransferKernels {
    private TransferKernels() {}

    /** y = x inside the device workspace (the planner never overlaps the two). */
    static Kernel copy(OpenClBackend b, Ops.Copy op) {
        long bytes = op.shape().size() * Float.BYTES;
        long from = op.in().byteOffset(), to = op.out().byteOffset();
        return bound(b, ws -> () -> {
            if (bytes > 0) Cl.copy(ws.queue, ws.buffer, ws.buffer, from, to, bytes);
        });
    }

    /**
     * A constant: its value uploaded once, copied into its slot on every run (the planner may reuse
     * the slot in between).
     */
    static Kernel constant(OpenClBackend b, Ops.Constant op) {
        if (op.value().length != op.shape().size()) {
            throw new IllegalArgumentException("constant of shape " + op.shape() + " expected " + op.shape().size()
                    + " values, got " + op.value().length);
        }
        long bytes = op.shape().size() * Float.BYTES, to = op.out().byteOffset();
        MemorySegment data = b.upload(op.value());
        return new Bound(b.cl, ws -> () -> {
            if (bytes > 0) Cl.copy(ws.queue, data, ws.buffer, 0, to, bytes);
        }, data);
    }

    /**
     * Input slot: a non-blocking write from the host workspace, first in the queue. Output slot: a
     * non-blocking read into the host workspace, then the run's one {@code clFinish}.
     */
    static Kernel transfer(OpenClBackend b, Ops.Transfer op) {
        long offset = op.slot().byteOffset(), bytes = op.shape().size() * Float.BYTES;
        boolean up = op.direction() == Ops.Transfer.Direction.TO_BACKEND;
        return bound(b, ws -> {
            MemorySegment host = ws.host.asSlice(offset, bytes);
            return up ? () -> {
                        if (bytes > 0) Cl.write(ws.queue, ws.buffer, false, offset, bytes, host);
                    } : () -> {
                        if (bytes > 0) Cl.read(ws.queue, ws.buffer, false, offset, bytes, host);
                        Cl.finish(ws.queue);
                    };
        });
    }

    private interface Binder {
        Runnable bind(DeviceWorkspace ws);
    }

    private static Kernel bound(OpenClBackend b, Binder binder) {
        b.checkOpen();
        return new Bound(b.cl, binder, null);
    }

    /** A step that is not an NDRange launch; a user of the shared context until it closes, owning at most one buffer. */
    private static final class Bound implements Kernel {
        private final ClContext cl;
        private final Binder binder;
        private final MemorySegment owned;
        private boolean closed;

        Bound(ClContext cl, Binder binder, MemorySegment owned) {
            this.cl = cl;
            this.binder = binder;
            this.owned = owned;
            try {
                cl.retain();
            } catch (RuntimeException e) {
                if (owned != null) Cl.releaseMem(owned);
                throw e;
            }
        }

        @Override
        public Runnable bind(ExecutionContext ctx) {
            return binder.bind(DeviceWorkspace.of(ctx, cl));
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            try {
                if (owned != null) Cl.releaseMem(owned);
            } finally {
                cl.release();
            }
        }
    }
}
