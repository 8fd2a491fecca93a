package dev.panamacnn.simd.gemm;

import static dev.panamacnn.simd.gemm.GemmConfig.MR;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The A operand (M × K) packed once, e.g. convolution weights at compile time.
 *
 * <h2>Layout</h2>
 * ceil(M / {@link GemmConfig#MR}) panels back to back; panel {@code p} holds rows
 * {@code [p·MR, p·MR + MR)} for all K columns, K-major: the float at index
 * {@code p·K·MR + k·MR + r} is {@code A[p·MR + r][k]}, and {@code 0.0f} for rows past M. The segment
 * is 64-byte aligned. A K block {@code [k0, k0+kc)} of a panel is therefore contiguous, which is
 * what the micro-kernel streams. The layout does not depend on the cache blocking.
 */
public final class PackedA {
    private final MemorySegment segment;
    private final int m;
    private final int k;

    private PackedA(MemorySegment segment, int m, int k) {
        this.segment = segment;
        this.m = m;
        this.k = k;
    }

    /**
     * Packs the m × k matrix whose element (i, j) is the float at index
     * {@code offsetElems + i·rowStride + j·colStride} of {@code a} (a column stride other than 1
     * gives Aᵀ of a row-major matrix for free) into memory from {@code arena}.
     */
    public static PackedA pack(MemorySegment a, long offsetElems, long rowStride, long colStride, int m, int k,
            Arena arena) {
        Checks.positive("M", m);
        Checks.positive("K", k);
        Checks.fits("A", a, offsetElems, rowStride, colStride, m, k);
        MemorySegment dst = arena.allocate(bytes(m, k), 64);
        Packing.packA(a, offsetElems, rowStride, colStride, m, k, dst, 0);
        return new PackedA(dst, m, k);
    }

    /** Bytes of the packed form of an m × k matrix. */
    public static long bytes(int m, int k) {
        return (long) ((m + MR - 1) / MR) * MR * k * 4;
    }

    public int m() {
        return m;
    }

    public int k() {
        return k;
    }

    /** The packed panels (read-only by convention: the GEMM never writes them). */
    public MemorySegment segment() {
        return segment;
    }
}
