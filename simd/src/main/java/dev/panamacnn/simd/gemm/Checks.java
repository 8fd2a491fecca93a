package dev.panamacnn.simd.gemm;

import java.lang.foreign.MemorySegment;

/** Argument checks for the GEMM entry points; messages name the argument, expected and actual. */
final class Checks {
    private Checks() {}

    static void positive(String what, int v) {
        if (v < 1) throw new IllegalArgumentException(what + " must be >= 1, got " + v);
    }

    /** A rows × cols matrix at {@code off} with strides (floats, >= 0) lies inside {@code seg}. */
    static void fits(String what, MemorySegment seg, long off, long rs, long cs, int rows, int cols) {
        if (seg == null) throw new NullPointerException(what + " segment");
        if (off < 0 || rs < 0 || cs < 0) {
            throw new IllegalArgumentException(what + " offset and strides must be >= 0, got offset " + off
                    + ", row stride " + rs + ", column stride " + cs);
        }
        long last = off + (rows - 1) * rs + (cols - 1) * cs; // no overflow for real segment sizes
        long floats = seg.byteSize() / 4;
        if (last >= floats) {
            throw new IllegalArgumentException(what + " (" + rows + " x " + cols + ", offset " + off + ", strides "
                    + rs + ", " + cs + ") needs " + (last + 1) + " floats, segment holds " + floats);
        }
    }

    /** A vector of {@code len} floats at {@code off}. */
    static void fits(String what, MemorySegment seg, long off, int len) {
        fits(what, seg, off, 0, 1, 1, len);
    }
}
