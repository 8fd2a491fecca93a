package dev.panamacnn.core.reference;

import static dev.panamacnn.core.Tensor.FLOAT;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.ops.SliceSpec;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * Reference data movement, exact copies (no arithmetic):
 * <ul>
 *   <li>concat along axis a: {@code y[…, o_k + i, …] = x_k[…, i, …]}, o_k = Σ_{j<k} x_j.dim(a);</li>
 *   <li>transpose by perm: {@code y[i_0, …, i_{r-1}] = x[j]} with {@code j[perm[k]] = i_k}
 *       (output axis k is input axis perm[k]);</li>
 *   <li>pad with a constant: {@code y[i] = x[i - begin]} where that index is inside x, else the
 *       value; negative pads crop;</li>
 *   <li>slice: {@code y[i] = x[start + i·step]} per axis ({@link SliceSpec}).</li>
 * </ul>
 */
public final class LayoutRef {
    private LayoutRef() {}

    /** The shape of {@code inputs} concatenated along {@code axis}; throws naming the mismatch. */
    public static Shape concatShape(List<Shape> inputs, int axis) {
        if (inputs.isEmpty()) throw new IllegalArgumentException("concat needs at least one input");
        Shape first = inputs.getFirst();
        int a = axis < 0 ? axis + first.rank() : axis;
        if (a < 0 || a >= first.rank()) throw new IllegalArgumentException("concat axis " + axis + " out of range for " + first);
        int[] out = first.dims();
        out[a] = 0;
        for (Shape s : inputs) {
            boolean ok = s.rank() == first.rank();
            for (int k = 0; ok && k < s.rank(); k++) ok = k == a || s.dim(k) == first.dim(k);
            if (!ok) throw new IllegalArgumentException("concat along axis " + axis + ": shapes " + inputs + " differ off that axis");
            out[a] = Math.addExact(out[a], s.dim(a));
        }
        return Shape.of(out);
    }

    public static void concat(List<Tensor> inputs, int axis, Tensor out) {
        List<Shape> shapes = inputs.stream().map(Tensor::shape).toList();
        Shape s = concatShape(shapes, axis);
        Checks.shape("concat", "output", out, s);
        int a = axis < 0 ? axis + s.rank() : axis;
        long outer = 1;
        for (int k = 0; k < a; k++) outer *= s.dim(k);
        long outRow = s.sizeFrom(a);
        long at = 0;
        for (Tensor x : inputs) {
            long row = x.shape().sizeFrom(a);
            for (long o = 0; o < outer; o++) {
                MemorySegment.copy(x.segment(), o * row * 4, out.segment(), (o * outRow + at) * 4, row * 4);
            }
            at += row;
        }
    }

    /** The transposed shape; perm must be a permutation of 0..rank-1. */
    public static Shape transposeShape(Shape in, int[] perm) {
        if (perm.length != in.rank()) {
            throw new IllegalArgumentException("transpose perm " + Arrays.toString(perm) + " does not match rank of " + in);
        }
        boolean[] seen = new boolean[perm.length];
        int[] out = new int[perm.length];
        for (int k = 0; k < perm.length; k++) {
            if (perm[k] < 0 || perm[k] >= perm.length || seen[perm[k]]) {
                throw new IllegalArgumentException("transpose perm " + Arrays.toString(perm) + " is not a permutation");
            }
            seen[perm[k]] = true;
            out[k] = in.dim(perm[k]);
        }
        return Shape.of(out);
    }

    public static void transpose(Tensor x, int[] perm, Tensor out) {
        Shape s = transposeShape(x.shape(), perm);
        Checks.shape("transpose", "output", out, s);
        long[] inStrides = x.shape().strides(), src = new long[perm.length];
        for (int k = 0; k < perm.length; k++) src[k] = inStrides[perm[k]];
        copyStrided(x.segment(), 0, src, out.segment(), s.dims());
    }

    /** Output shape of a pad: in.dim(k) + pads[k] + pads[rank + k]. */
    public static Shape padShape(Shape in, int[] pads) {
        int r = in.rank();
        if (pads.length != 2 * r) {
            throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " must have 2 × rank = " + 2 * r + " entries for " + in);
        }
        int[] out = new int[r];
        for (int k = 0; k < r; k++) {
            long d = (long) in.dim(k) + pads[k] + pads[r + k];
            if (d < 0) throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " crop axis " + k + " of " + in + " below 0");
            out[k] = Math.toIntExact(d);
        }
        return Shape.of(out);
    }

    public static void pad(Tensor x, int[] pads, float value, Tensor out) {
        Shape s = padShape(x.shape(), pads);
        Checks.shape("pad", "output", out, s);
        int r = s.rank();
        int[] dims = s.dims(), idx = new int[r];
        long[] inStrides = x.shape().strides();
        MemorySegment xs = x.segment(), ys = out.segment();
        for (long i = 0, n = s.size(); i < n; i++) {
            long src = 0;
            boolean inside = true;
            for (int k = 0; k < r && inside; k++) {
                int j = idx[k] - pads[k];
                inside = j >= 0 && j < x.dim(k);
                src += j * inStrides[k];
            }
            ys.setAtIndex(FLOAT, i, inside ? xs.getAtIndex(FLOAT, src) : value);
            for (int k = r - 1; k >= 0 && ++idx[k] == dims[k]; k--) idx[k] = 0;
        }
    }

    public static void slice(Tensor x, SliceSpec spec, Tensor out) {
        SliceSpec.Resolved res = spec.resolve(x.shape());
        Checks.shape("slice", "output", out, res.output());
        long[] inStrides = x.shape().strides(), src = new long[inStrides.length];
        long base = 0;
        for (int k = 0; k < src.length; k++) {
            src[k] = inStrides[k] * res.step()[k];
            base += inStrides[k] * res.start()[k];
        }
        copyStrided(x.segment(), base, src, out.segment(), res.output().dims());
    }

    /** y[i] (row-major over dims) = x[base + Σ i_k·stride_k]. */
    private static void copyStrided(MemorySegment xs, long base, long[] stride, MemorySegment ys, int[] dims) {
        int r = dims.length;
        int[] idx = new int[r];
        long n = 1;
        for (int d : dims) n *= d;
        long src = base;
        for (long i = 0; i < n; i++) {
            ys.setAtIndex(FLOAT, i, xs.getAtIndex(FLOAT, src));
            for (int k = r - 1; k >= 0; k--) {
                src += stride[k];
                if (++idx[k] < dims[k]) break;
                src -= stride[k] * dims[k];
                idx[k] = 0;
            }
        }
    }
}
