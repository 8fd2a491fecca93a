package dev.panamacnn.simd.gemm;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * What the GEMM does to each output tile after its last K block, while the tile is still in L1:
 * <pre>
 *   C[i][j] = clamp(acc[i][j] + rowBias[i] + colBias[j] + residual[i][j], lo, hi)
 * </pre>
 * where {@code acc} is A·B (plus the old C when accumulating), each term is optional and added
 * in this order in float, and clamp is {@code min(max(v, lo), hi)}. Row bias has one value per
 * row of C (per output channel of a convolution), column bias one per column (the bias of a dense
 * layer {@code y = x·Wᵀ + b}), and the residual is an M × N matrix with its own strides.
 *
 * <p>Immutable; create it once (at plan time) and reuse it, so calls allocate nothing.
 */
public final class Epilogue {
    /** Nothing: C = A·B (+ C). */
    public static final Epilogue NONE = new Epilogue(null, 0, null, 0, null, 0, 0, 0,
            Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);

    final MemorySegment rowBias;
    final long rowBiasOffset;
    final MemorySegment colBias;
    final long colBiasOffset;
    final MemorySegment residual;
    final long residualOffset;
    final long residualRowStride;
    final long residualColStride;
    final float lo;
    final float hi;

    private Epilogue(MemorySegment rowBias, long rowBiasOffset, MemorySegment colBias, long colBiasOffset,
            MemorySegment residual, long residualOffset, long residualRowStride, long residualColStride,
            float lo, float hi) {
        this.rowBias = rowBias;
        this.rowBiasOffset = rowBiasOffset;
        this.colBias = colBias;
        this.colBiasOffset = colBiasOffset;
        this.residual = residual;
        this.residualOffset = residualOffset;
        this.residualRowStride = residualRowStride;
        this.residualColStride = residualColStride;
        this.lo = lo;
        this.hi = hi;
    }

    /** max(v, 0). */
    public static Epilogue relu() {
        return NONE.clamp(0f, Float.POSITIVE_INFINITY);
    }

    /** min(max(v, 0), 6). */
    public static Epilogue relu6() {
        return NONE.clamp(0f, 6f);
    }

    /** Adds {@code bias[offsetElems + i]} to row i (length M). */
    public Epilogue rowBias(MemorySegment bias, long offsetElems) {
        nonNegative("row bias offset", offsetElems);
        return new Epilogue(Objects.requireNonNull(bias, "bias"), offsetElems, colBias, colBiasOffset,
                residual, residualOffset, residualRowStride, residualColStride, lo, hi);
    }

    /** Adds {@code bias[offsetElems + j]} to column j (length N). */
    public Epilogue columnBias(MemorySegment bias, long offsetElems) {
        nonNegative("column bias offset", offsetElems);
        return new Epilogue(rowBias, rowBiasOffset, Objects.requireNonNull(bias, "bias"), offsetElems,
                residual, residualOffset, residualRowStride, residualColStride, lo, hi);
    }

    /** Adds the M × N matrix {@code r[offsetElems + i·rowStride + j·colStride]} (strides in floats). */
    public Epilogue residual(MemorySegment r, long offsetElems, long rowStride, long colStride) {
        nonNegative("residual offset", offsetElems);
        nonNegative("residual row stride", rowStride);
        nonNegative("residual column stride", colStride);
        return new Epilogue(rowBias, rowBiasOffset, colBias, colBiasOffset, Objects.requireNonNull(r, "residual"),
                offsetElems, rowStride, colStride, lo, hi);
    }

    /** Clamps to [lo, hi] last (ReLU: [0, +inf], ReLU6: [0, 6], none: [-inf, +inf]). */
    public Epilogue clamp(float lo, float hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clamp needs lo <= hi, got [" + lo + ", " + hi + "]");
        return new Epilogue(rowBias, rowBiasOffset, colBias, colBiasOffset, residual, residualOffset,
                residualRowStride, residualColStride, lo, hi);
    }

    /** Whether the epilogue changes nothing (the GEMM then skips the pass). */
    public boolean isIdentity() {
        return rowBias == null && colBias == null && residual == null && !clamps();
    }

    boolean clamps() {
        return lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
    }

    /** Checks every operand against an m × n output before the GEMM touches anything. */
    void checkFits(int m, int n) {
        if (rowBias != null) Checks.fits("row bias", rowBias, rowBiasOffset, m);
        if (colBias != null) Checks.fits("column bias", colBias, colBiasOffset, n);
        if (residual != null) {
            Checks.fits("residual", residual, residualOffset, residualRowStride, residualColStride, m, n);
        }
    }

    private static void nonNegative(String what, long v) {
        if (v < 0) throw new IllegalArgumentException(what + " must be >= 0, got " + v);
    }

    @Override
    public String toString() {
        return "Epilogue[rowBias=" + (rowBias != null) + ", columnBias=" + (colBias != null) + ", residual="
                + (residual != null) + ", clamp=[" + lo + ", " + hi + "]]";
    }
}
