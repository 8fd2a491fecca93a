package dev.panamacnn.simd.gemm;

import static dev.panamacnn.simd.gemm.GemmConfig.MR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked outer-product micro-kernel: C[MR × NR] = A-panel[kc × MR]ᵀ · B-panel[kc × NR]. Per k it loads one B row (2 vectors), broadcasts each of the MR A values and
 * issues 2·MR independent FMAs; there is no reduction and no tail inside the K loop (panels are
 * zero-padded by the packers). The tile is stored with full vectors, so the caller passes C only
 * when the whole MR × NR tile lies inside C with unit column stride, and a scratch tile otherwise.
 *
 * <p>Offsets and {@code ldc} are in bytes. Fully unrolled by hand: C2 keeps the accumulators in
 * registers only when every one is a separate local. It only overwrites (accumulating is a
 * separate pass, {@link TileOps#addTile}) and its stores are written out rather than calling a
 * helper: a helper that C2 does not inline boxes every vector passed to it, and a kernel that also
 * accumulates is too large for C1 — its tier-3 compile bails out ("out of virtual registers"),
 * which can leave the method in tier-2 code, boxing every vector, for good.
 */
final class MicroKernel {
    private static final VectorSpecies<Float> S = GemmConfig.SPECIES;
    private static final long VBYTES = S.vectorByteSize();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private MicroKernel() {}

    /**
     * C = A-panel · B-panel.
     *
     * @param a packed A micro-panel: kc groups of MR floats ({@code a[k·MR + i]})
     * @param b packed B micro-panel: kc rows of NR floats ({@code b[k·NR + j]})
     */
    static void run(MemorySegment a, long aOff, MemorySegment b, long bOff, int kc,
            MemorySegment c, long cOff, long ldc) {
        if (MR == 8) {
            kernel8x2(a, aOff, b, bOff, kc, c, cOff, ldc);
        } else {
            kernel6x2(a, aOff, b, bOff, kc, c, cOff, ldc);
        }
    }

    /** C[MR × L] = A-panel · the first vector of the B-panel (a last panel at most L columns wide). */
    static void runHalf(MemorySegment a, long aOff, MemorySegment b, long bOff, int kc,
            MemorySegment c, long cOff, long ldc) {
        if (MR == 8) {
            kernel8x1(a, aOff, b, bOff, kc, c, cOff, ldc);
        } else {
            kernel6x1(a, aOff, b, bOff, kc, c, cOff, ldc);
        }
    }

    // 8 rows × 2 vectors: 16 accumulators + 2 B vectors + 1 broadcast (AVX-512, 32 registers).

    private static void kernel8x2(MemorySegment a, long aOff, MemorySegment b, long bOff, int kc,
            MemorySegment c, long cOff, long ldc) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S); FloatVector c71 = FloatVector.zero(S);
        long ap = aOff, bp = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, bp, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, b, bp + VBYTES, NATIVE);
            FloatVector ai;
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 0));
            c00 = ai.fma(b0, c00); c01 = ai.fma(b1, c01);
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 4));
            c10 = ai.fma(b0, c10); c11 = ai.fma(b1, c11);
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 8));
            c20 = ai.fma(b0, c20); c21 = ai.fma(b1, c21);
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 12));
            c30 = ai.fma(b0, c30); c31 = ai.fma(b1, c31);
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 16));
            c40 = ai.fma(b0, c40); c41 = ai.fma(b1, c41);
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 20));
            c50 = ai.fma(b0, c50); c51 = ai.fma(b1, c51);
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 24));
            c60 = ai.fma(b0, c60); c61 = ai.fma(b1, c61);
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 28));
            c70 = ai.fma(b0, c70); c71 = ai.fma(b1, c71);
            ap += 32;
            bp += 2 * VBYTES;
        }
        c00.intoMemorySegment(c, cOff, NATIVE); c01.intoMemorySegment(c, cOff + VBYTES, NATIVE);
        c10.intoMemorySegment(c, cOff + ldc, NATIVE); c11.intoMemorySegment(c, cOff + ldc + VBYTES, NATIVE);
        c20.intoMemorySegment(c, cOff + 2 * ldc, NATIVE); c21.intoMemorySegment(c, cOff + 2 * ldc + VBYTES, NATIVE);
        c30.intoMemorySegment(c, cOff + 3 * ldc, NATIVE); c31.intoMemorySegment(c, cOff + 3 * ldc + VBYTES, NATIVE);
        c40.intoMemorySegment(c, cOff + 4 * ldc, NATIVE); c41.intoMemorySegment(c, cOff + 4 * ldc + VBYTES, NATIVE);
        c50.intoMemorySegment(c, cOff + 5 * ldc, NATIVE); c51.intoMemorySegment(c, cOff + 5 * ldc + VBYTES, NATIVE);
        c60.intoMemorySegment(c, cOff + 6 * ldc, NATIVE); c61.intoMemorySegment(c, cOff + 6 * ldc + VBYTES, NATIVE);
        c70.intoMemorySegment(c, cOff + 7 * ldc, NATIVE); c71.intoMemorySegment(c, cOff + 7 * ldc + VBYTES, NATIVE);
    }

    // 6 rows × 2 vectors: 12 accumulators + 2 B vectors + 1 broadcast (16 registers).

    private static void kernel6x2(MemorySegment a, long aOff, MemorySegment b, long bOff, int kc,
            MemorySegment c, long cOff, long ldc) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        long ap = aOff, bp = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, bp, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, b, bp + VBYTES, NATIVE);
            FloatVector ai;
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 0));
            c00 = ai.fma(b0, c00); c01 = ai.fma(b1, c01);
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 4));
            c10 = ai.fma(b0, c10); c11 = ai.fma(b1, c11);
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 8));
            c20 = ai.fma(b0, c20); c21 = ai.fma(b1, c21);
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 12));
            c30 = ai.fma(b0, c30); c31 = ai.fma(b1, c31);
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 16));
            c40 = ai.fma(b0, c40); c41 = ai.fma(b1, c41);
            ai = FloatVector.broadcast(S, a.get(FLOAT, ap + 20));
            c50 = ai.fma(b0, c50); c51 = ai.fma(b1, c51);
            ap += 24;
            bp += 2 * VBYTES;
        }
        c00.intoMemorySegment(c, cOff, NATIVE); c01.intoMemorySegment(c, cOff + VBYTES, NATIVE);
        c10.intoMemorySegment(c, cOff + ldc, NATIVE); c11.intoMemorySegment(c, cOff + ldc + VBYTES, NATIVE);
        c20.intoMemorySegment(c, cOff + 2 * ldc, NATIVE); c21.intoMemorySegment(c, cOff + 2 * ldc + VBYTES, NATIVE);
        c30.intoMemorySegment(c, cOff + 3 * ldc, NATIVE); c31.intoMemorySegment(c, cOff + 3 * ldc + VBYTES, NATIVE);
        c40.intoMemorySegment(c, cOff + 4 * ldc, NATIVE); c41.intoMemorySegment(c, cOff + 4 * ldc + VBYTES, NATIVE);
        c50.intoMemorySegment(c, cOff + 5 * ldc, NATIVE); c51.intoMemorySegment(c, cOff + 5 * ldc + VBYTES, NATIVE);
    }


    // One vector wide: for a last B panel of at most L columns.

    private static void kernel8x1(MemorySegment a, long aOff, MemorySegment b, long bOff, int kc,
            MemorySegment c, long cOff, long ldc) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S);
        FloatVector c5 = FloatVector.zero(S);
        FloatVector c6 = FloatVector.zero(S);
        FloatVector c7 = FloatVector.zero(S);
        long ap = aOff, bp = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, bp, NATIVE);
            c0 = FloatVector.broadcast(S, a.get(FLOAT, ap + 0)).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a.get(FLOAT, ap + 4)).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a.get(FLOAT, ap + 8)).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a.get(FLOAT, ap + 12)).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a.get(FLOAT, ap + 16)).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a.get(FLOAT, ap + 20)).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a.get(FLOAT, ap + 24)).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a.get(FLOAT, ap + 28)).fma(b0, c7);
            ap += 32;
            bp += 2 * VBYTES;
        }
        c0.intoMemorySegment(c, cOff, NATIVE);
        c1.intoMemorySegment(c, cOff + ldc, NATIVE);
        c2.intoMemorySegment(c, cOff + 2 * ldc, NATIVE);
        c3.intoMemorySegment(c, cOff + 3 * ldc, NATIVE);
        c4.intoMemorySegment(c, cOff + 4 * ldc, NATIVE);
        c5.intoMemorySegment(c, cOff + 5 * ldc, NATIVE);
        c6.intoMemorySegment(c, cOff + 6 * ldc, NATIVE);
        c7.intoMemorySegment(c, cOff + 7 * ldc, NATIVE);
    }

    private static void kernel6x1(MemorySegment a, long aOff, MemorySegment b, long bOff, int kc,
            MemorySegment c, long cOff, long ldc) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S);
        FloatVector c5 = FloatVector.zero(S);
        long ap = aOff, bp = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, bp, NATIVE);
            c0 = FloatVector.broadcast(S, a.get(FLOAT, ap + 0)).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a.get(FLOAT, ap + 4)).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a.get(FLOAT, ap + 8)).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a.get(FLOAT, ap + 12)).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a.get(FLOAT, ap + 16)).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a.get(FLOAT, ap + 20)).fma(b0, c5);
            ap += 24;
            bp += 2 * VBYTES;
        }
        c0.intoMemorySegment(c, cOff, NATIVE);
        c1.intoMemorySegment(c, cOff + ldc, NATIVE);
        c2.intoMemorySegment(c, cOff + 2 * ldc, NATIVE);
        c3.intoMemorySegment(c, cOff + 3 * ldc, NATIVE);
        c4.intoMemorySegment(c, cOff + 4 * ldc, NATIVE);
        c5.intoMemorySegment(c, cOff + 5 * ldc, NATIVE);
    }
}
