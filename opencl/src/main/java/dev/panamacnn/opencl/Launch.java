package dev.panamacnn.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One kernel object with its arguments set once, at bind time, in declaration order, and its
 * NDRange sizes in native memory: {@link #run()} only enqueues, allocating nothing.
 */
final class Launch implements Runnable {
    private final MemorySegment queue;
    private final MemorySegment kernel;
    private final Arena arena;
    private final int dims;
    private final MemorySegment global;
    private final MemorySegment local;
    private int next;

    Launch(DeviceWorkspace ws, MemorySegment kernel, Arena arena, long[] global, long[] local) {
        if (global.length != local.length || global.length < 1 || global.length > 3) {
            throw new IllegalArgumentException("NDRange needs 1-3 matching dimensions, got " + global.length + "/" + local.length);
        }
        for (int i = 0; i < global.length; i++) {
            if (local[i] < 1 || global[i] % local[i] != 0) {
                throw new IllegalArgumentException("global size " + global[i] + " is not a multiple of local size " + local[i]);
            }
        }
        this.queue = ws.queue;
        this.kernel = kernel;
        this.arena = arena;
        this.dims = global.length;
        this.global = arena.allocateFrom(JAVA_LONG, global);
        this.local = arena.allocateFrom(JAVA_LONG, local);
    }

    /** The next argument is a buffer ({@code cl_mem}, passed as a pointer to the handle). */
    Launch arg(MemorySegment clMem) {
        Cl.setArg(kernel, next++, arena.allocateFrom(ADDRESS, clMem));
        return this;
    }

    Launch arg(int v) {
        Cl.setArg(kernel, next++, arena.allocateFrom(JAVA_INT, v));
        return this;
    }

    Launch arg(float v) {
        Cl.setArg(kernel, next++, arena.allocateFrom(JAVA_FLOAT, v));
        return this;
    }

    /** A 32-bit element offset into the workspace buffer. */
    Launch offset(long byteOffset) {
        return arg(Math.toIntExact(byteOffset / Float.BYTES));
    }

    @Override
    public void run() {
        Cl.enqueue(queue, kernel, dims, global, local);
    }
}
