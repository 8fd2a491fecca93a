package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.Broadcast;
import java.lang.foreign.MemorySegment;

/**
 * Reference matrix product with NumPy {@code matmul} semantics: {@code a [..., M, K]} times
 * {@code b [..., K, N]} gives {@code [..., M, N]}, {@code y[..., i, j] = Σ_k a[..., i, k]·b[..., k, j]}
 * summed in double, the leading (batch) axes broadcast. A 1-D {@code a} is a row [1, K] and a
 * 1-D {@code b} a column [K, 1], the added axis removed from the result.
 */
public final class MatMulRef {
    private MatMulRef() {}

    public static Shape outputShape(Shape a, Shape b) {
        if (a.rank() < 1 || b.rank() < 1) throw new IllegalArgumentException("matmul operands must have rank >= 1, got " + a + " and " + b);
        Shape pa = a.rank() == 1 ? Shape.of(1, a.dim(0)) : a, pb = b.rank() == 1 ? Shape.of(b.dim(0), 1) : b;
        int k = pa.dim(-1);
        if (pb.dim(-2) != k) {
            throw new IllegalArgumentException("matmul: inner dimensions differ, " + a + " × " + b);
        }
        Shape batch = Broadcast.shape(batch(pa), batch(pb));
        int[] out = new int[batch.rank() + 2];
        for (int i = 0; i < batch.rank(); i++) out[i] = batch.dim(i);
        out[batch.rank()] = pa.dim(-2);
        out[batch.rank() + 1] = pb.dim(-1);
        Shape s = Shape.of(out);
        if (a.rank() == 1) s = drop(s, s.rank() - 2);
        if (b.rank() == 1) s = drop(s, s.rank() - 1);
        return s;
    }

    public static void matmul(Tensor a, Tensor b, Tensor out) {
        Shape os = outputShape(a.shape(), b.shape());
        Checks.shape("matmul", "output", out, os);
        Shape pa = a.rank() == 1 ? Shape.of(1, a.dim(0)) : a.shape(), pb = b.rank() == 1 ? Shape.of(b.dim(0), 1) : b.shape();
        Shape batch = Broadcast.shape(batch(pa), batch(pb));
        int m = pa.dim(-2), k = pa.dim(-1), n = pb.dim(-1);
        long[] sa = Broadcast.strides(batch(pa), batch), sb = Broadcast.strides(batch(pb), batch);
        int[] dims = batch.dims(), idx = new int[dims.length];
        MemorySegment as = a.segment(), bs = b.segment(), ys = out.segment();
        long ia = 0, ib = 0;
        for (long t = 0, count = batch.size(); t < count; t++) {
            long aBase = ia * m * k, bBase = ib * k * n, yBase = t * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        acc += (double) as.getAtIndex(FLOAT, aBase + (long) i * k + p) * bs.getAtIndex(FLOAT, bBase + (long) p * n + j);
                    }
                    ys.setAtIndex(FLOAT, yBase + (long) i * n + j, (float) acc);
                }
            }
            for (int d = dims.length - 1; d >= 0; d--) {
                ia += sa[d];
                ib += sb[d];
                if (++idx[d] < dims[d]) break;
                ia -= sa[d] * dims[d];
                ib -= sb[d] * dims[d];
                idx[d] = 0;
            }
        }
    }

    private static Shape batch(Shape s) {
        int[] d = new int[s.rank() - 2];
        for (int i = 0; i < d.length; i++) d[i] = s.dim(i);
        return Shape.of(d);
    }

    private static Shape drop(Shape s, int axis) {
        int[] d = new int[s.rank() - 1];
        for (int i = 0, j = 0; i < s.rank(); i++) if (i != axis) d[j++] = s.dim(i);
        return Shape.of(d);
    }
}
