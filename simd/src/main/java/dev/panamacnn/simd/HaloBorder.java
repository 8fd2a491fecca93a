package dev.panamacnn.simd;

import java.lang.foreign.MemorySegment;

/**
 * The zero border (halo, see {@code core.plan.Halos}) around a blocked output plane, written by
 * the kernel that produces the plane, one output row at a time, so that whichever thread
 * computes a row also writes its share of the border and every run rewrites it (the memory is
 * shared with other tensors).
 */
final class HaloBorder {
    private static final long PIXEL = (long) BlockedConvKernel.BLOCK * Float.BYTES;

    private HaloBorder() {}

    /**
     * Zeroes row {@code row}'s share of the border of the plane at {@code plane} ({@code rows} ×
     * {@code width} pixels inside a border {@code halo} wide): the pixels left and right of the
     * row, and the border rows above the first row and below the last.
     */
    static void zeroRowShare(MemorySegment ws, long plane, int row, int rows, int width, int halo) {
        long rowBytes = (width + 2L * halo) * PIXEL, at = plane + (row + halo) * rowBytes;
        BlockedConvKernel.zero(ws, at, halo * PIXEL);
        BlockedConvKernel.zero(ws, at + (halo + width) * PIXEL, halo * PIXEL);
        if (row == 0) BlockedConvKernel.zero(ws, plane, halo * rowBytes);
        if (row == rows - 1) BlockedConvKernel.zero(ws, plane + (halo + rows) * rowBytes, halo * rowBytes);
    }
}
