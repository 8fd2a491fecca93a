package dev.panamacnn.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * A contiguous float32 tensor in row-major (C) order, stored off-heap in a 64-byte aligned
 * {@link MemorySegment}.
 *
 * <p>Memory comes from an {@link Arena}. With {@link #allocate(Arena, Shape)} the caller owns the
 * arena and frees the memory by closing it; {@link #close()} then only marks the tensor unusable.
 * With {@link #allocate(Shape)} the tensor owns a private arena and {@code close()} frees the
 * memory. Either way, any use after {@code close()} throws {@link IllegalStateException}.
 *
 * <p>{@link #reshape} returns a view over the same memory (no copy); closing the tensor a view
 * was made from closes the view too.
 */
public final class Tensor implements AutoCloseable {
    /** Alignment of every tensor's memory: one cache line, one 512-bit vector. */
    public static final long ALIGNMENT = 64;
    /** Element layout: little-endian float32 (native order on every supported platform). */
    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    /** Memory shared by a tensor and its views. */
    private static final class Storage {
        final MemorySegment segment;
        final Arena ownedArena; // null when the caller owns the arena
        volatile boolean closed;

        Storage(MemorySegment segment, Arena ownedArena) {
            this.segment = segment;
            this.ownedArena = ownedArena;
        }
    }

    private final Storage storage;
    private final Shape shape;
    private final boolean isView;
    private volatile boolean closed;

    private Tensor(Storage storage, Shape shape, boolean isView) {
        this.storage = storage;
        this.shape = shape;
        this.isView = isView;
    }

    // ---------------------------------------------------------------- creation

    /** A zero-filled tensor in the caller's arena. */
    public static Tensor allocate(Arena arena, Shape shape) {
        Objects.requireNonNull(arena, "arena");
        long bytes = Math.multiplyExact(shape.size(), Float.BYTES);
        // Arena.allocate zero-fills; ask for at least one byte so empty tensors are valid too.
        MemorySegment seg = arena.allocate(Math.max(bytes, 1), ALIGNMENT).asSlice(0, bytes);
        return new Tensor(new Storage(seg, null), shape, false);
    }

    /**
     * A tensor over memory the caller already owns (no copy, not zeroed): {@code segment} must
     * hold at least {@code shape.size()} floats and stays valid only as long as its arena.
     * Compiled plans use this to view their workspace.
     */
    public static Tensor wrap(MemorySegment segment, Shape shape) {
        long bytes = Math.multiplyExact(shape.size(), Float.BYTES);
        if (segment.byteSize() < bytes) {
            throw new IllegalArgumentException("segment of " + segment.byteSize()
                    + " bytes is too small for shape " + shape + " (" + bytes + " bytes)");
        }
        return new Tensor(new Storage(segment.asSlice(0, bytes), null), shape, true);
    }

    /** A zero-filled tensor that owns its memory: {@link #close()} frees it. */
    public static Tensor allocate(Shape shape) {
        Arena arena = Arena.ofShared();
        try {
            long bytes = Math.multiplyExact(shape.size(), Float.BYTES);
            MemorySegment seg = arena.allocate(Math.max(bytes, 1), ALIGNMENT).asSlice(0, bytes);
            return new Tensor(new Storage(seg, arena), shape, false);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public static Tensor zeros(Arena arena, int... dims) {
        return allocate(arena, Shape.of(dims));
    }

    public static Tensor ones(Arena arena, int... dims) {
        return full(arena, 1f, dims);
    }

    public static Tensor full(Arena arena, float value, int... dims) {
        return allocate(arena, Shape.of(dims)).fill(value);
    }

    /** A tensor holding a copy of {@code data}, whose length must equal the shape's size. */
    public static Tensor of(Arena arena, float[] data, int... dims) {
        Tensor t = allocate(arena, Shape.of(dims));
        t.copyFrom(data);
        return t;
    }

    /** Seeded normal samples N(mean, std²). The same seed always gives the same tensor. */
    public static Tensor randomNormal(Arena arena, long seed, float mean, float std, int... dims) {
        Tensor t = allocate(arena, Shape.of(dims));
        t.fillNormal(seed, mean, std);
        return t;
    }

    /** Seeded uniform samples in [lo, hi). */
    public static Tensor randomUniform(Arena arena, long seed, float lo, float hi, int... dims) {
        Tensor t = allocate(arena, Shape.of(dims));
        t.fillUniform(seed, lo, hi);
        return t;
    }

    /**
     * He/Kaiming normal initialisation for a weight tensor (PyTorch {@code kaiming_normal_} with
     * fan-in mode and ReLU gain): N(0, 2 / fanIn) where fanIn is the product of all dimensions but
     * the first (out-features or out-channels).
     */
    public static Tensor kaimingNormal(Arena arena, long seed, int... dims) {
        Tensor t = allocate(arena, Shape.of(dims));
        t.fillKaimingNormal(seed);
        return t;
    }

    // ---------------------------------------------------------------- fills (in place)

    public Tensor fill(float value) {
        MemorySegment seg = segment();
        for (long i = 0, n = size(); i < n; i++) {
            seg.setAtIndex(FLOAT, i, value);
        }
        return this;
    }

    public Tensor fillNormal(long seed, float mean, float std) {
        MemorySegment seg = segment();
        RandomGenerator rng = rng(seed);
        for (long i = 0, n = size(); i < n; i++) {
            seg.setAtIndex(FLOAT, i, (float) (mean + std * rng.nextGaussian()));
        }
        return this;
    }

    public Tensor fillUniform(long seed, float lo, float hi) {
        if (!(hi > lo)) {
            throw new IllegalArgumentException("uniform range is empty: [" + lo + ", " + hi + ")");
        }
        MemorySegment seg = segment();
        RandomGenerator rng = rng(seed);
        for (long i = 0, n = size(); i < n; i++) {
            seg.setAtIndex(FLOAT, i, (float) (lo + (hi - lo) * rng.nextDouble()));
        }
        return this;
    }

    /** Fills with N(0, 2 / fanIn), fanIn = product of all dimensions but the first. */
    public Tensor fillKaimingNormal(long seed) {
        if (shape.rank() < 2) {
            throw new IllegalArgumentException(
                    "Kaiming init needs a weight of rank >= 2 (out, in, ...), got " + shape);
        }
        long fanIn = shape.sizeFrom(1);
        return fillNormal(seed, 0f, (float) Math.sqrt(2.0 / Math.max(1, fanIn)));
    }

    /** The generator behind every seeded fill: a specified algorithm, so results never drift. */
    public static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    // ---------------------------------------------------------------- shape and views

    public Shape shape() {
        return shape;
    }

    public int dim(int axis) {
        return shape.dim(axis);
    }

    public int rank() {
        return shape.rank();
    }

    public long size() {
        return shape.size();
    }

    /**
     * A view with another shape over the same memory (no copy). One dimension may be -1.
     * Always legal for a contiguous tensor when the element count matches.
     */
    public Tensor reshape(int... dims) {
        checkOpen();
        return new Tensor(storage, shape.reshape(dims), true);
    }

    public Tensor reshape(Shape newShape) {
        return reshape(newShape.dims());
    }

    /** {@code [N, ...] -> [N, rest]}: the flatten a classifier head applies. */
    public Tensor flatten() {
        return reshape(shape.rank() == 0 ? 1 : shape.dim(0), -1);
    }

    /** The backing memory. Throws {@link IllegalStateException} if this tensor is closed. */
    public MemorySegment segment() {
        checkOpen();
        return storage.segment;
    }

    // ---------------------------------------------------------------- element access

    public float get(int... index) {
        return segment().getAtIndex(FLOAT, offsetOf(index));
    }

    public void set(float value, int... index) {
        segment().setAtIndex(FLOAT, offsetOf(index), value);
    }

    /** Element at flat (row-major) position {@code i}. */
    public float getFlat(long i) {
        checkFlat(i);
        return segment().getAtIndex(FLOAT, i);
    }

    public void setFlat(long i, float value) {
        checkFlat(i);
        segment().setAtIndex(FLOAT, i, value);
    }

    private void checkFlat(long i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("flat index " + i + " out of range for " + shape
                    + " (" + size() + " elements)");
        }
    }

    private long offsetOf(int[] index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has rank "
                    + index.length + ", tensor " + shape + " has rank " + shape.rank());
        }
        long off = 0;
        for (int i = 0; i < index.length; i++) {
            int d = shape.dim(i);
            if (index[i] < 0 || index[i] >= d) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index)
                        + " out of bounds for shape " + shape + " at axis " + i);
            }
            off = off * d + index[i];
        }
        return off;
    }

    // ---------------------------------------------------------------- bulk copies

    /** A fresh Java array with the contents (for tests and I/O). */
    public float[] toArray() {
        long n = size();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor " + shape + " is too large for a float[]");
        }
        return segment().toArray(FLOAT);
    }

    /** Copies {@code data} in; its length must equal {@link #size()}. */
    public Tensor copyFrom(float[] data) {
        if (data.length != size()) {
            throw new IllegalArgumentException("array of length " + data.length
                    + " does not match tensor " + shape + " (" + size() + " elements)");
        }
        MemorySegment.copy(data, 0, segment(), FLOAT, 0, data.length);
        return this;
    }

    /** Copies another tensor's contents in; shapes must be equal. */
    public Tensor copyFrom(Tensor src) {
        if (!src.shape.equals(shape)) {
            throw new IllegalArgumentException("cannot copy tensor of shape " + src.shape
                    + " into tensor of shape " + shape);
        }
        MemorySegment.copy(src.segment(), 0, segment(), 0, size() * Float.BYTES);
        return this;
    }

    /** A copy of this tensor in {@code arena}. */
    public Tensor copy(Arena arena) {
        return allocate(arena, shape).copyFrom(this);
    }

    // ---------------------------------------------------------------- lifetime

    public boolean isClosed() {
        return closed || storage.closed;
    }

    private void checkOpen() {
        if (closed || storage.closed) {
            throw new IllegalStateException("tensor " + shape + " is closed");
        }
    }

    /**
     * Closes this tensor. A tensor that owns its memory frees it; closing a base tensor also
     * closes its views. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!isView) {
            synchronized (storage) {
                if (!storage.closed) {
                    storage.closed = true;
                    if (storage.ownedArena != null) {
                        storage.ownedArena.close();
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Tensor" + shape + (isClosed() ? " (closed)" : "");
    }
}
