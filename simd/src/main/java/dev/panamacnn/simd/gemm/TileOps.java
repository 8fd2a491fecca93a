package dev.panamacnn.simd.gemm;

import static dev.panamacnn.simd.gemm.GemmConfig.MR;
import static dev.panamacnn.simd.gemm.GemmConfig.NR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Work on one output tile outside the K loop: copying a scratch tile into C for edge tiles and
 * strided C, and the {@link Epilogue}. The vector and scalar paths do the same float operations in
 * the same order, so a result does not depend on which path (hence which blocking) produced it.
 * C offsets and strides are in floats; i0, j0 are the tile's first row and column in C.
 */
final class TileOps {
    private static final VectorSpecies<Float> S = GemmConfig.SPECIES;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Lane indexes, for tail masks (indexInRange fell back to allocating code in large methods). */
    private static final FloatVector IOTA = iota();

    private TileOps() {}

    /** C[rows × cols] (=|+=) the top-left of an MR × NR scratch tile (row-major, NR floats a row). */
    static void storeTile(MemorySegment tile, MemorySegment c, long cOff, long rs, long cs, int rows, int cols,
            boolean accumulate) {
        if (cs == 1) {
            storeTileRows(tile, c, cOff, rs, rows, cols, accumulate);
            return;
        }
        for (int r = 0; r < rows; r++) {
            long t = (long) r * NR * 4;
            long ci = cOff + r * rs;
            for (int j = 0; j < cols; j++, ci += cs) {
                float v = tile.get(FLOAT, t + 4L * j);
                c.setAtIndex(FLOAT, ci, accumulate ? c.getAtIndex(FLOAT, ci) + v : v);
            }
        }
    }

    /**
     * {@link #storeTile} for unit column stride (edge tiles of small matrices: a convolution with
     * six output channels has nothing else): vectors along each row, the row's tail masked where
     * the whole vector lies inside C, element by element otherwise. Same float operations.
     */
    private static void storeTileRows(MemorySegment tile, MemorySegment c, long cOff, long rs, int rows, int cols,
            boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            long t = (long) r * NR * 4, ci = cOff + r * rs;
            int j = 0;
            for (; j + L <= cols; j += L) {
                FloatVector v = FloatVector.fromMemorySegment(S, tile, t + 4L * j, NATIVE);
                if (accumulate) v = FloatVector.fromMemorySegment(S, c, (ci + j) * 4, NATIVE).add(v);
                v.intoMemorySegment(c, (ci + j) * 4, NATIVE);
            }
            if (j < cols && (ci + j + L) * 4 <= c.byteSize()) {
                VectorMask<Float> m = IOTA.compare(VectorOperators.LT, cols - j);
                FloatVector v = FloatVector.fromMemorySegment(S, tile, t + 4L * j, NATIVE);
                if (accumulate) v = FloatVector.fromMemorySegment(S, c, (ci + j) * 4, NATIVE, m).add(v);
                v.intoMemorySegment(c, (ci + j) * 4, NATIVE, m);
                j = cols;
            }
            for (; j < cols; j++) {
                float v = tile.get(FLOAT, t + 4L * j);
                c.setAtIndex(FLOAT, ci + j, accumulate ? c.getAtIndex(FLOAT, ci + j) + v : v);
            }
        }
    }

    /** C[MR × NR] += a full scratch tile (row-major, NR floats a row); C has unit column stride. */
    static void addTile(MemorySegment tile, MemorySegment c, long cOff, long rs) {
        for (int r = 0; r < MR; r++) {
            long t = (long) r * NR * 4, o = (cOff + r * rs) * 4;
            for (int v = 0; v < NR; v += L, t += 4L * L, o += 4L * L) {
                FloatVector.fromMemorySegment(S, c, o, NATIVE)
                        .add(FloatVector.fromMemorySegment(S, tile, t, NATIVE))
                        .intoMemorySegment(c, o, NATIVE);
            }
        }
    }

    /** The epilogue on a full MR × NR tile of C with unit column stride, a vector at a time. */
    static void epilogueFull(Epilogue ep, MemorySegment c, long cOff, long rs, int i0, int j0) {
        if (ep.residual != null && ep.residualColStride != 1) {
            epilogue(ep, c, cOff, rs, 1, i0, j0, MR, NR);
            return;
        }
        // No vector lives across iterations or may be null: C2 once failed to compile ("bad graph")
        // a version that hoisted the column-bias vectors out of the loop.
        for (int r = 0; r < MR; r++) {
            for (int v = 0; v < NR; v += L) {
                long o = (cOff + r * rs + v) * 4;
                FloatVector x = FloatVector.fromMemorySegment(S, c, o, NATIVE);
                if (ep.rowBias != null) x = x.add(ep.rowBias.getAtIndex(FLOAT, ep.rowBiasOffset + i0 + r));
                if (ep.colBias != null) {
                    x = x.add(FloatVector.fromMemorySegment(S, ep.colBias, (ep.colBiasOffset + j0 + v) * 4, NATIVE));
                }
                if (ep.residual != null) {
                    long ro = ep.residualOffset + (i0 + r) * ep.residualRowStride + j0 + v;
                    x = x.add(FloatVector.fromMemorySegment(S, ep.residual, ro * 4, NATIVE));
                }
                x = x.blend(ep.lo, x.compare(VectorOperators.LE, ep.lo)); // clamp by blends (see Vec)
                x.blend(ep.hi, x.compare(VectorOperators.GE, ep.hi)).intoMemorySegment(c, o, NATIVE);
            }
        }
    }

    /** The epilogue on any rows × cols tile of C, element by element. */
    static void epilogue(Epilogue ep, MemorySegment c, long cOff, long rs, long cs, int i0, int j0, int rows,
            int cols) {
        if (cs == 1 && ep.colBias == null && ep.residual == null) {
            rowBiasClampRows(ep, c, cOff, rs, i0, rows, cols);
            return;
        }
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            float rb = ep.rowBias != null ? ep.rowBias.getAtIndex(FLOAT, ep.rowBiasOffset + i) : 0f;
            for (int jj = 0; jj < cols; jj++) {
                int j = j0 + jj;
                long ci = cOff + r * rs + jj * cs;
                float v = c.getAtIndex(FLOAT, ci);
                if (ep.rowBias != null) v += rb;
                if (ep.colBias != null) v += ep.colBias.getAtIndex(FLOAT, ep.colBiasOffset + j);
                if (ep.residual != null) {
                    v += ep.residual.getAtIndex(FLOAT,
                            ep.residualOffset + i * ep.residualRowStride + j * ep.residualColStride);
                }
                v = Math.min(Math.max(v, ep.lo), ep.hi);
                c.setAtIndex(FLOAT, ci, v);
            }
        }
    }

    /** {@link #epilogue} with only a row bias and the clamp, unit column stride: vectors along rows. */
    private static void rowBiasClampRows(Epilogue ep, MemorySegment c, long cOff, long rs, int i0, int rows,
            int cols) {
        for (int r = 0; r < rows; r++) {
            float rb = ep.rowBias != null ? ep.rowBias.getAtIndex(FLOAT, ep.rowBiasOffset + i0 + r) : 0f;
            long ci = cOff + r * rs;
            int j = 0;
            for (; j + L <= cols; j += L) {
                FloatVector x = FloatVector.fromMemorySegment(S, c, (ci + j) * 4, NATIVE);
                if (ep.rowBias != null) x = x.add(rb);
                x = x.blend(ep.lo, x.compare(VectorOperators.LE, ep.lo)); // clamp by blends (see Vec)
                x.blend(ep.hi, x.compare(VectorOperators.GE, ep.hi)).intoMemorySegment(c, (ci + j) * 4, NATIVE);
            }
            if (j < cols && (ci + j + L) * 4 <= c.byteSize()) {
                VectorMask<Float> m = IOTA.compare(VectorOperators.LT, cols - j);
                FloatVector x = FloatVector.fromMemorySegment(S, c, (ci + j) * 4, NATIVE, m);
                if (ep.rowBias != null) x = x.add(rb);
                x = x.blend(ep.lo, x.compare(VectorOperators.LE, ep.lo)); // clamp by blends (see Vec)
                x.blend(ep.hi, x.compare(VectorOperators.GE, ep.hi)).intoMemorySegment(c, (ci + j) * 4, NATIVE, m);
                j = cols;
            }
            for (; j < cols; j++) {
                float v = c.getAtIndex(FLOAT, ci + j);
                if (ep.rowBias != null) v += rb;
                c.setAtIndex(FLOAT, ci + j, Math.min(Math.max(v, ep.lo), ep.hi));
            }
        }
    }

    private static FloatVector iota() {
        float[] idx = new float[L];
        for (int k = 0; k < L; k++) idx[k] = k;
        return FloatVector.fromArray(S, idx, 0);
    }
}
