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
        return new Kernel() {
            @Override
            public Runnable bind(ExecutionContext ctx) {
                return binder.bind(DeviceWorkspace.of(ctx, b.cl));
            }
        };
    }
}
