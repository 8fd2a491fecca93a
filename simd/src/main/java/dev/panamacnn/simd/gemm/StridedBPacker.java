package dev.panamacnn.simd.gemm;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A {@link BPacker} over a dense matrix with general strides (in floats): element (k, n) of B
 * is at float index {@code offset + k·rowStride + n·colStride} of {@code segment}. A column stride
 * of 1 (row-major B) packs with vector copies; any other stride (e.g. a transposed B) gathers.
 */
public final class StridedBPacker implements BPacker {
    private final MemorySegment segment;
    private final long offset;
    private final long rowStride;
    private final long colStride;

    public StridedBPacker(MemorySegment segment, long offsetElems, long rowStride, long colStride) {
        this.segment = Objects.requireNonNull(segment, "segment");
        if (offsetElems < 0 || rowStride < 0 || colStride < 0) {
            throw new IllegalArgumentException("B offset and strides must be >= 0, got offset " + offsetElems
                    + ", row stride " + rowStride + ", column stride " + colStride);
        }
        this.offset = offsetElems;
        this.rowStride = rowStride;
        this.colStride = colStride;
    }

    /** Checks that a k × n matrix fits in the segment; the GEMM calls this before packing. */
    public void checkFits(int k, int n) {
        Checks.fits("B", segment, offset, rowStride, colStride, k, n);
    }

    @Override
    public void pack(int k0, int kc, int n0, int nc, MemorySegment dst, long dstOffsetBytes) {
        Packing.packB(segment, offset, rowStride, colStride, k0, kc, n0, nc, dst, dstOffsetBytes);
    }
}
