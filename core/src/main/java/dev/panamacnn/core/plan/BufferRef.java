package dev.panamacnn.core.plan;

/**
 * Where a planned tensor lives at run time: the caller's input, the caller's output, or the
 * execution context's workspace at a byte offset (fixed at compile time).
 */
public record BufferRef(Kind kind, long byteOffset) {
    public enum Kind { INPUT, OUTPUT, WORKSPACE }

    public static final BufferRef INPUT = new BufferRef(Kind.INPUT, 0);
    public static final BufferRef OUTPUT = new BufferRef(Kind.OUTPUT, 0);

    public static BufferRef workspace(long byteOffset) {
        return new BufferRef(Kind.WORKSPACE, byteOffset);
    }

    /** Offset in float elements. */
    public long elementOffset() {
        return byteOffset / Float.BYTES;
    }
}
