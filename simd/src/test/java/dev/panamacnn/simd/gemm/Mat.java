package dev.panamacnn.simd.gemm;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/** A rows × cols test matrix inside a larger segment, with an offset and general strides (floats). */
record Mat(MemorySegment seg, long off, long rs, long cs, int rows, int cols) {

    enum Layout { ROW_MAJOR, ROW_PADDED, COL_MAJOR, STRIDED }

    /** Lays out a matrix, fills the whole segment (padding too) with values from {@code fill}. */
    static Mat create(Arena arena, int rows, int cols, Layout layout, int offset, Random rnd, boolean ints) {
        long rs, cs;
        switch (layout) {
            case ROW_MAJOR -> { rs = cols; cs = 1; }
            case ROW_PADDED -> { rs = cols + 3; cs = 1; }
            case COL_MAJOR -> { rs = 1; cs = rows + 1; }
            default -> { rs = 2L * cols + 1; cs = 2; }
        }
        long size = offset + (rows - 1) * rs + (cols - 1) * cs + 1 + 5;
        MemorySegment seg = arena.allocate(size * 4, 64);
        for (long i = 0; i < size; i++) seg.setAtIndex(JAVA_FLOAT, i, value(rnd, ints));
        return new Mat(seg, offset, rs, cs, rows, cols);
    }

    /** A contiguous vector of n values. */
    static MemorySegment vector(Arena arena, int n, Random rnd, boolean ints) {
        MemorySegment seg = arena.allocate(4L * n, 64);
        for (int i = 0; i < n; i++) seg.setAtIndex(JAVA_FLOAT, i, value(rnd, ints));
        return seg;
    }

    /** Small integers keep every sum exact; otherwise standard normal values. */
    static float value(Random rnd, boolean ints) {
        return ints ? rnd.nextInt(9) - 4 : (float) rnd.nextGaussian();
    }

    float get(int i, int j) {
        return seg.getAtIndex(JAVA_FLOAT, off + i * rs + j * cs);
    }

    Mat copy(Arena arena) {
        MemorySegment s = arena.allocate(seg.byteSize(), 64);
        s.copyFrom(seg);
        return new Mat(s, off, rs, cs, rows, cols);
    }

    float[] all() {
        return seg.toArray(JAVA_FLOAT);
    }
}
