package dev.panamacnn.core.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * An arena whose memory is reused from one training step to the next: {@link #reset()} takes
 * back everything allocated since the previous reset at once, and the next step bump-allocates
 * from the same pages. Freshly mapped pages cost a page fault each on first touch, so a step
 * that allocated its activations from the system every time would spend most of its time there.
 *
 * <p>After warm-up all memory is one chunk (the high-water mark of a step); while a step needs
 * more, extra chunks are added and merged at the next reset. Memory is shared (worker threads may
 * read and write it). {@link #allocate} zero-fills, as every arena does;
 * {@link #allocateUninitialized} skips that for buffers a kernel overwrites completely.
 *
 * <p>Segments from before a {@link #reset()} stay accessible but their contents are reused:
 * never keep a tensor from one step into the next. {@link #close()} frees everything.
 */
public final class StepArena implements Arena {
    private static final long ALIGN = 64;
    private static final long MIN_CHUNK = 1 << 20;

    private final List<Arena> arenas = new ArrayList<>();
    private final List<MemorySegment> chunks = new ArrayList<>();
    private MemorySegment current;
    private long used;
    /** Bytes handed out since the last reset, counting alignment, over all chunks. */
    private long stepBytes;
    private long highWater;
    private boolean closed;

    public StepArena() {}

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        MemorySegment s = allocateUninitialized(byteSize, byteAlignment);
        s.fill((byte) 0);
        return s;
    }

    /** Like {@link #allocate(long, long)} at 64-byte alignment, without zeroing. */
    public MemorySegment allocateUninitialized(long byteSize) {
        return allocateUninitialized(byteSize, ALIGN);
    }

    private MemorySegment allocateUninitialized(long byteSize, long byteAlignment) {
        if (closed) throw new IllegalStateException("step arena is closed");
        if (byteSize < 0 || byteAlignment < 1 || Long.bitCount(byteAlignment) != 1) {
            throw new IllegalArgumentException("invalid allocation: " + byteSize + " bytes, alignment "
                    + byteAlignment);
        }
        long align = Math.max(byteAlignment, ALIGN);
        long size = Math.max(byteSize, 1);
        long start = current == null ? 0 : alignUp(current.address() + used, align) - current.address();
        if (current == null || start + size > current.byteSize()) {
            newChunk(Math.max(MIN_CHUNK, size + align));
            start = alignUp(current.address(), align) - current.address();
        }
        stepBytes += start - used + size;
        used = start + size;
        highWater = Math.max(highWater, stepBytes);
        return current.asSlice(start, byteSize);
    }

    /** Takes back every allocation of the step; merges chunks so the next step needs only one. */
    public void reset() {
        if (closed) throw new IllegalStateException("step arena is closed");
        if (chunks.size() > 1) {
            freeAll();
            newChunk(highWater + ALIGN);
        }
        used = 0;
        stepBytes = 0;
    }

    /** Bytes the largest step so far needed. */
    public long highWater() {
        return highWater;
    }

    private void newChunk(long bytes) {
        Arena a = Arena.ofShared();
        arenas.add(a);
        current = a.allocate(bytes, ALIGN); // zero-filled, so every page is touched once here
        chunks.add(current);
        used = 0;
    }

    private void freeAll() {
        for (Arena a : arenas) a.close();
        arenas.clear();
        chunks.clear();
        current = null;
    }

    private static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }

    /** The scope of the current chunk (segments of earlier chunks of this step have their own). */
    @Override
    public MemorySegment.Scope scope() {
        if (current == null) newChunk(MIN_CHUNK);
        return current.scope();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        freeAll();
    }
}
