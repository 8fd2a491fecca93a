package dev.panamacnn.simd.gemm;

import java.lang.foreign.MemorySegment;

/**
 * Writes one block of the B operand (K × N) in the packed layout the micro-kernel reads, so a
 * convolution can pack straight from an image (im2col fused into packing) instead of
 * materialising B.
 *
 * <h2>Packed block layout</h2>
 * A call {@code pack(k0, kc, n0, nc, dst, dstOffsetBytes)} writes ceil(nc / {@link GemmConfig#NR})
 * panels back to back starting at {@code dstOffsetBytes}. Panel {@code q} holds columns
 * {@code [n0 + q·NR, n0 + q·NR + NR)} for rows {@code [k0, k0 + kc)}, row-major: the float at
 * {@code dstOffsetBytes/4 + q·kc·NR + kk·NR + j} is {@code B[k0 + kk][n0 + q·NR + j]}, and
 * {@code 0.0f} where {@code q·NR + j ≥ nc}. Every float of every panel must be written (the buffer
 * is reused between calls and the micro-kernel never looks at {@code nc}).
 *
 * <p>The GEMM calls it with {@code n0} a multiple of NR, {@code 1 ≤ nc ≤ }{@link GemmConfig#NC},
 * {@code 1 ≤ kc ≤ }{@link GemmConfig#KC}, {@code dst} native and 64-byte aligned at
 * {@code dstOffsetBytes}. It may also be called with {@code k0 = 0, kc = K}: by
 * {@link PackedB#pack(BPacker, int, int, java.lang.foreign.Arena)} for the whole matrix, and by a
 * multi-threaded GEMM with few columns, which packs all of B once, a panel per call, into a
 * buffer the threads share. Calls for different blocks may run concurrently on different threads
 * (each with its own {@code dst}), so an implementation must not keep mutable state.
 */
@FunctionalInterface
public interface BPacker {
    void pack(int k0, int kc, int n0, int nc, MemorySegment dst, long dstOffsetBytes);
}
