package dev.panamacnn.simd.gemm;

import static dev.panamacnn.simd.gemm.GemmConfig.MR;
import static dev.panamacnn.simd.gemm.GemmConfig.NR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Copies strided matrices into the packed panel layouts the micro-kernel reads (see
 * {@link PackedA} and {@link BPacker}). Strides and offsets are in floats, destination offsets in
 * bytes. Padding (rows of A past M, columns of B past the block) is written as zeros, so the
 * destination may hold stale data from a previous call.
 */
final class Packing {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Packing() {}

    /**
     * Packs rows {@code [0, m)} × columns {@code [0, k)} of A into ceil(m/MR) panels of k × MR
     * floats: element (i, kk) goes to float {@code (i/MR)·k·MR + kk·MR + i%MR} after {@code dstOff}.
     */
    static void packA(MemorySegment a, long off, long rs, long cs, int m, int k,
            MemorySegment dst, long dstOff) {
        int panels = (m + MR - 1) / MR;
        for (int p = 0; p < panels; p++) {
            int rows = Math.min(MR, m - p * MR);
            long d = dstOff + (long) p * k * MR * 4;
            long src = off + (long) p * MR * rs;
            for (int kk = 0; kk < k; kk++) {
                long s = src + kk * cs;
                int r = 0;
                for (; r < rows; r++) dst.set(FLOAT, d + 4L * r, a.getAtIndex(FLOAT, s + r * rs));
                for (; r < MR; r++) dst.set(FLOAT, d + 4L * r, 0f);
                d += 4L * MR;
            }
        }
    }

    /**
     * Packs rows {@code [k0, k0+kc)} × columns {@code [n0, n0+nc)} of B into ceil(nc/NR) panels of
     * kc × NR floats: element (k0+kk, n0+j) goes to float {@code (j/NR)·kc·NR + kk·NR + j%NR}
     * after {@code dstOff}; columns past {@code nc} in the last panel are zero.
     */
    static void packB(MemorySegment b, long off, long rs, long cs, int k0, int kc, int n0, int nc,
            MemorySegment dst, long dstOff) {
        int panels = (nc + NR - 1) / NR;
        for (int q = 0; q < panels; q++) {
            int cols = Math.min(NR, nc - q * NR);
            long d = dstOff + (long) q * kc * NR * 4;
            long src = off + (long) k0 * rs + (long) (n0 + q * NR) * cs;
            if (cs == 1 && cols == NR) {
                for (int kk = 0; kk < kc; kk++, d += 4L * NR) copyRow(b, (src + kk * rs) * 4, dst, d);
            } else if (cs == 1) {
                for (int kk = 0; kk < kc; kk++, d += 4L * NR) copyPartialRow(b, (src + kk * rs) * 4, cols, dst, d);
            } else {
                for (int kk = 0; kk < kc; kk++, d += 4L * NR) {
                    long s = src + kk * rs;
                    int j = 0;
                    for (; j < cols; j++) dst.set(FLOAT, d + 4L * j, b.getAtIndex(FLOAT, s + j * cs));
                    for (; j < NR; j++) dst.set(FLOAT, d + 4L * j, 0f);
                }
            }
        }
    }

    // Bulk copies, not Vector API loads: in about one run in four C2 compiled the packing loop
    // without the vector-load intrinsic ("VectorSupport::load failed to inline": it could not bind
    // the segment's class) and the fallback allocated on every call. MemorySegment.copy never
    // allocates; it cost 3-8 % on packing-heavy shapes (64x3136x576), a scalar loop 20 %.

    private static void copyRow(MemorySegment src, long s, MemorySegment dst, long d) {
        MemorySegment.copy(src, s, dst, d, 4L * NR);
    }

    /** The first {@code cols} (< NR) floats, zero-filled to NR. */
    private static void copyPartialRow(MemorySegment src, long s, int cols, MemorySegment dst, long d) {
        MemorySegment.copy(src, s, dst, d, 4L * cols);
        for (int j = cols; j < NR; j++) dst.set(FLOAT, d + 4L * j, 0f);
    }
}
