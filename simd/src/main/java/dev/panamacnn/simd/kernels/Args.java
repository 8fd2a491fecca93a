package dev.panamacnn.simd.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Argument checks run once per kernel call, before any loop. Messages name the kernel, what was
 * expected and what was given. They build strings only when they throw, so a valid call
 * allocates nothing.
 */
final class Args {
    private Args() {}

    /** A half-open range {@code [from, to)} with {@code 0 <= from <= to}. */
    static void range(String op, String what, long from, long to) {
        if (from < 0 || from > to) {
            throw new IllegalArgumentException(op + ": " + what + " range expected 0 <= from <= to,"
                    + " got [" + from + ", " + to + ")");
        }
    }

    static void positive(String op, String what, long v) {
        if (v < 1) {
            throw new IllegalArgumentException(op + ": " + what + " expected >= 1, got " + v);
        }
    }

    /** The segment holds {@code count} floats starting at element {@code offset}. */
    static void fits(String op, String what, MemorySegment s, long offset, long count) {
        if (s == null) {
            throw new IllegalArgumentException(op + ": " + what + " segment expected, got null");
        }
        if (offset < 0) {
            throw new IllegalArgumentException(op + ": " + what + " offset expected >= 0, got " + offset);
        }
        long needed = Math.multiplyExact(Math.addExact(offset, count), (long) Float.BYTES);
        if (needed > s.byteSize()) {
            throw new IllegalArgumentException(op + ": " + what + " expected at least " + needed
                    + " bytes (element offset " + offset + " + " + count + " floats), got a segment of "
                    + s.byteSize() + " bytes");
        }
    }

    /** Clamp bounds: {@code lo <= hi}, neither NaN (±infinity means no bound on that side). */
    static void clamp(String op, float lo, float hi) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException(op + ": clamp bounds expected lo <= hi, got [" + lo
                    + ", " + hi + "]");
        }
    }
}
