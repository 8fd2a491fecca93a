package dev.panamacnn.core.ops;

import dev.panamacnn.core.Shape;

/**
 * NumPy (and ONNX multidirectional) broadcasting: shapes are aligned at their last axis; two
 * dimensions are compatible when equal or when one is 1, and the result takes the larger.
 */
public final class Broadcast {
    private Broadcast() {}

    /** The broadcast shape of {@code a} and {@code b}; throws naming both when they are incompatible. */
    public static Shape shape(Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = dimFromEnd(a, rank - 1 - i), db = dimFromEnd(b, rank - 1 - i);
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + a + " and " + b
                        + " cannot be broadcast (axis " + i + " of the result: " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return Shape.of(out);
    }

    /**
     * Element strides of {@code in} seen as a tensor of shape {@code out} (which it broadcasts
     * to): one per axis of {@code out}, 0 where {@code in} repeats along that axis.
     */
    public static long[] strides(Shape in, Shape out) {
        int rank = out.rank(), shift = rank - in.rank();
        if (shift < 0) throw new IllegalArgumentException(in + " has more axes than " + out);
        long[] own = in.strides(), s = new long[rank];
        for (int i = shift; i < rank; i++) {
            int d = in.dim(i - shift);
            if (d != out.dim(i) && d != 1) {
                throw new IllegalArgumentException(in + " does not broadcast to " + out);
            }
            s[i] = d == 1 ? 0 : own[i - shift];
        }
        return s;
    }

    private static int dimFromEnd(Shape s, int fromEnd) {
        return fromEnd < s.rank() ? s.dim(s.rank() - 1 - fromEnd) : 1;
    }
}
