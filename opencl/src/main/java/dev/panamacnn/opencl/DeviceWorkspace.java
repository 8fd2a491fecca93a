package dev.panamacnn.opencl;

import dev.panamacnn.core.plan.ExecutionContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The device side of one execution context: an in-order command queue, one device buffer that
 * mirrors the host workspace byte for byte (so a plan's {@code BufferRef} offsets address it
 * directly), and the kernel objects bound to that buffer. Kernel objects are per context because
 * their arguments are set once at bind time, and OpenCL kernel objects are not safe to share
 * between threads that set arguments. {@link #close()} releases kernels, then the buffer, then
 * the queue, then its use of the shared context; the execution context calls it when it closes.
 */
final class DeviceWorkspace implements AutoCloseable {
    final ClContext cl;
    final MemorySegment queue;
    final MemorySegment buffer;
    /** Host workspace whose slots the transfer steps copy to and from {@link #buffer}. */
    final MemorySegment host;
    private final Arena arena = Arena.ofShared();
    private final List<MemorySegment> kernels = new ArrayList<>();

    /** The workspace of {@code ctx}, created (and zero-filled on the device) on first request. */
    static DeviceWorkspace of(ExecutionContext ctx, ClContext cl) {
        return ctx.resource(DeviceWorkspace.class, () -> new DeviceWorkspace(cl, ctx.workspace()));
    }

    private DeviceWorkspace(ClContext cl, MemorySegment host) {
        if (host.byteSize() / Float.BYTES > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("workspace of " + host.byteSize() + " bytes is larger than"
                    + " the 8 GiB that the kernels' 32-bit element offsets address");
        }
        cl.retain();
        this.cl = cl;
        this.host = host;
        MemorySegment q = null, b = null;
        try {
            q = Cl.createQueue(cl.context, cl.device);
            b = Cl.createBuffer(cl.context, Cl.MEM_READ_WRITE, host.byteSize(), MemorySegment.NULL);
            // Copy the zeroed host workspace once: the device commits the memory now, not in the first run.
            Cl.write(q, b, true, 0, host.byteSize(), host);
        } catch (RuntimeException e) {
            if (b != null) Cl.releaseMem(b);
            if (q != null) Cl.releaseQueue(q);
            arena.close();
            cl.release();
            throw e;
        }
        this.queue = q;
        this.buffer = b;
    }

    /** A kernel object of {@code program} owned by this workspace, ready for its arguments. */
    Launch launch(MemorySegment program, String name, long[] global, long[] local) {
        MemorySegment k = Cl.createKernel(program, name);
        kernels.add(k);
        return new Launch(this, k, arena, global, local);
    }

    @Override
    public void close() {
        try {
            Cl.finish(queue);
        } finally {
            kernels.forEach(Cl::releaseKernel);
            kernels.clear();
            try {
                Cl.releaseMem(buffer);
                Cl.releaseQueue(queue);
            } finally {
                arena.close();
                cl.release();
            }
        }
    }
}
