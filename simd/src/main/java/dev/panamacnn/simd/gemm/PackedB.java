package dev.panamacnn.simd.gemm;

import static dev.panamacnn.simd.gemm.GemmConfig.NR;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The B operand (K × N) packed once, e.g. the transposed weights of a dense layer
 * ({@code y = x·Wᵀ + b}: B = Wᵀ) or of a convolution whose weights take the B side.
 *
 * <h2>Layout</h2>
 * Exactly what a {@link BPacker} writes for the whole matrix ({@code k0 = 0, kc = K, n0 = 0,
 * nc = N}): ceil(N / {@link GemmConfig#NR}) panels back to back; the float at index
 * {@code q·K·NR + k·NR + j} is {@code B[k][q·NR + j]}, and {@code 0.0f} for columns past N. The
 * segment is 64-byte aligned; every panel is a multiple of 64 bytes.
 */
public final class PackedB {
    private final MemorySegment segment;
    private final int k;
    private final int n;

    private PackedB(MemorySegment segment, int k, int n) {
        this.segment = segment;
        this.k = k;
        this.n = n;
    }

    /**
     * Packs the k × n matrix whose element (i, j) is the float at index
     * {@code offsetElems + i·rowStride + j·colStride} of {@code b}. For B = Wᵀ with W row-major
     * [N × K], pass {@code rowStride = 1, colStride = K}.
     */
    public static PackedB pack(MemorySegment b, long offsetElems, long rowStride, long colStride, int k, int n,
            Arena arena) {
        Checks.positive("K", k);
        Checks.positive("N", n);
        Checks.fits("B", b, offsetElems, rowStride, colStride, k, n);
        return pack(new StridedBPacker(b, offsetElems, rowStride, colStride), k, n, arena);
    }

    /** Packs the whole k × n matrix that {@code packer} describes. */
    public static PackedB pack(BPacker packer, int k, int n, Arena arena) {
        Checks.positive("K", k);
        Checks.positive("N", n);
        MemorySegment dst = arena.allocate(bytes(k, n), 64);
        packer.pack(0, k, 0, n, dst, 0);
        return new PackedB(dst, k, n);
    }

    /**
     * A k × n matrix that a {@link BPacker} already wrote, whole, at the start of {@code packed}
     * (e.g. im2col columns kept from a convolution's forward pass for its backward pass). The
     * caller keeps the memory alive and unchanged while the result is in use.
     */
    public static PackedB wrap(MemorySegment packed, int k, int n) {
        Checks.positive("K", k);
        Checks.positive("N", n);
        if (packed.byteSize() < bytes(k, n)) {
            throw new IllegalArgumentException("packed B of " + k + " x " + n + " needs " + bytes(k, n)
                    + " bytes, got " + packed.byteSize());
        }
        return new PackedB(packed, k, n);
    }

    /** Bytes of the packed form of a k × n matrix. */
    public static long bytes(int k, int n) {
        return (long) ((n + NR - 1) / NR) * NR * k * 4;
    }

    public int k() {
        return k;
    }

    public int n() {
        return n;
    }

    /** The packed panels (read-only by convention: the GEMM never writes them). */
    public MemorySegment segment() {
        return segment;
    }
}
