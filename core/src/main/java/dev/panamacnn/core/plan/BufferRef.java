package dev.panamacnn.core.plan;

/**
 * Where a planned tensor lives at run time: a byte offset (fixed at compile time, 64-byte
 * aligned) into the execution context's workspace. The model's input and output have slots
 * there too: a run copies the caller's input in and the result out, so every kernel can bind
 * to fixed memory once and never rebind per run.
 */
public record BufferRef(long byteOffset) {

    public BufferRef {
        if (byteOffset < 0 || byteOffset % 64 != 0) {
            throw new IllegalArgumentException("buffer offset must be a non-negative multiple of 64, got " + byteOffset);
        }
    }

    /** Offset in float elements. */
    public long elementOffset() {
        return byteOffset / Float.BYTES;
    }
}
