package dev.panamacnn.simd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One scratch buffer per execution context for zero-padded copies of input planes, shared by
 * every direct and depthwise convolution in it (they run one after another) and sized for the
 * largest. Kernels reserve at bind time; the memory is allocated at the first run, after every
 * kernel of the context has reserved.
 */
final class PaddedPlanes implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private long bytes;
    private MemorySegment segment;

    void reserve(long b) {
        if (segment != null && b > segment.byteSize()) throw new IllegalStateException("reserved after first use");
        bytes = Math.max(bytes, b);
    }

    MemorySegment segment() {
        if (segment == null) segment = arena.allocate(Math.max(64, bytes), 64);
        return segment;
    }

    @Override
    public void close() {
        arena.close();
    }
}
