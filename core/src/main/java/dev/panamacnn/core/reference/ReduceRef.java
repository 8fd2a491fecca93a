package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Reference mean over a set of axes: {@code y[j] = (1/m) Σ x[i]} over the m elements i that
 * agree with j on every kept axis, summed in double and rounded once. With {@code keepDims} the
 * reduced axes stay as size 1, otherwise they are removed.
 */
public final class ReduceRef {
    private ReduceRef() {}

    /** Normalised, sorted, distinct axes; throws on an axis outside the rank. */
    public static int[] axes(Shape in, int[] axes) {
        boolean[] r = new boolean[in.rank()];
        for (int a : axes) {
            int k = a < 0 ? a + in.rank() : a;
            if (k < 0 || k >= in.rank()) throw new IllegalArgumentException("reduce axis " + a + " out of range for " + in);
            r[k] = true;
        }
        return java.util.stream.IntStream.range(0, in.rank()).filter(k -> r[k]).toArray();
    }

    public static Shape meanShape(Shape in, int[] axes, boolean keepDims) {
        int[] ax = axes(in, axes);
        int[] out = in.dims();
        for (int a : ax) out[a] = keepDims ? 1 : -1;
        return Shape.of(keepDims ? out : Arrays.stream(out).filter(d -> d >= 0).toArray());
    }

    public static void mean(Tensor x, int[] axes, boolean keepDims, Tensor out) {
        Shape s = meanShape(x.shape(), axes, keepDims);
        Checks.shape("reduceMean", "output", out, s);
        int[] ax = axes(x.shape(), axes);
        boolean[] reduced = new boolean[x.rank()];
        for (int a : ax) reduced[a] = true;
        int r = x.rank();
        int[] dims = x.shape().dims(), idx = new int[r];
        // Output offset of each input element: the input index with reduced axes dropped.
        long[] outStride = new long[r];
        long acc = 1;
        for (int k = r - 1; k >= 0; k--) {
            if (!reduced[k]) {
                outStride[k] = acc;
                acc *= dims[k];
            }
        }
        double[] sums = new double[Math.toIntExact(out.size())];
        MemorySegment xs = x.segment();
        long o = 0;
        for (long i = 0, n = x.size(); i < n; i++) {
            sums[(int) o] += xs.getAtIndex(FLOAT, i);
            for (int k = r - 1; k >= 0; k--) {
                o += outStride[k];
                if (++idx[k] < dims[k]) break;
                o -= outStride[k] * dims[k];
                idx[k] = 0;
            }
        }
        long m = out.size() == 0 ? 1 : x.size() / out.size();
        for (int j = 0; j < sums.length; j++) out.segment().setAtIndex(FLOAT, j, (float) (sums[j] / m));
    }
}
