package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * Reference matrix product, the oracle for every fast GEMM:
 * <pre>
 *   C[i][j] = clamp((accumulate ? C[i][j] : 0) + Σ_k A[i][k]·B[k][j]
 *                   + rowBias[i] + colBias[j] + residual[i][j], lo, hi)
 * </pre>
 * summed in double and rounded to float once, before the clamp. A is M × K, B is K × N, C and the
 * residual M × N; element (i, j) of a matrix X is the float at index
 * {@code xOff + i·xRowStride + j·xColStride} (offsets and strides in floats, so transposes are
 * stride swaps). Bias and residual segments may be null (the term is then 0).
 */
public final class GemmRef {
    private GemmRef() {}

    /** C = A·B, or C += A·B when {@code accumulate}. */
    public static void gemm(int m, int n, int k,
            MemorySegment a, long aOff, long aRs, long aCs,
            MemorySegment b, long bOff, long bRs, long bCs,
            MemorySegment c, long cOff, long cRs, long cCs, boolean accumulate) {
        gemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, cCs, accumulate,
                null, 0, null, 0, null, 0, 0, 0, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /** The product with the fused epilogue terms (see the class documentation). */
    public static void gemm(int m, int n, int k,
            MemorySegment a, long aOff, long aRs, long aCs,
            MemorySegment b, long bOff, long bRs, long bCs,
            MemorySegment c, long cOff, long cRs, long cCs, boolean accumulate,
            MemorySegment rowBias, long rowBiasOff, MemorySegment colBias, long colBiasOff,
            MemorySegment residual, long rOff, long rRs, long rCs, float lo, float hi) {
        if (m < 1 || n < 1 || k < 1) {
            throw new IllegalArgumentException("gemm: M, N, K must be >= 1, got " + m + ", " + n + ", " + k);
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long ci = cOff + i * cRs + j * cCs;
                double acc = accumulate ? c.getAtIndex(FLOAT, ci) : 0;
                for (int p = 0; p < k; p++) {
                    acc += (double) a.getAtIndex(FLOAT, aOff + i * aRs + p * aCs)
                            * b.getAtIndex(FLOAT, bOff + p * bRs + j * bCs);
                }
                if (rowBias != null) acc += rowBias.getAtIndex(FLOAT, rowBiasOff + i);
                if (colBias != null) acc += colBias.getAtIndex(FLOAT, colBiasOff + j);
                if (residual != null) acc += residual.getAtIndex(FLOAT, rOff + i * rRs + j * rCs);
                c.setAtIndex(FLOAT, ci, Math.min(Math.max((float) acc, lo), hi));
            }
        }
    }
}
